"""The user's own account (two-factor enrolment) and the admin's security policy. Views only."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..admin import operations as admin_ops
from ..extensions import db
from ..forms.account import ChangePasswordForm, EnrollForm, PolicyForm
from . import audit, sessions, twofactor
from .guard import role_required
from .login import confirm_password

bp = Blueprint("account", __name__)
PENDING = "totp_pending_secret"


@bp.route("/konto/tofaktor", methods=["GET", "POST"])
def enroll():
    form = EnrollForm()
    secret = session.get(PENDING) or twofactor.new_secret()
    session[PENDING] = secret
    uri = twofactor.provisioning_uri(current_user, secret)
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            problem = confirm_password(current_user, form.password.data)
            if problem:
                form.password.errors = [problem]
                status = 403
            elif twofactor.use_code(current_user, form.code.data, secret):
                current_user.record.totp_secret = secret
                session.pop(PENDING, None)
                audit.record("totp_enrolled")
                flash("Tofaktor-innlogging er slått på for kontoen din.", "success")
                return redirect(url_for("persons.index"))
        if not form.code.errors and not form.password.errors:
            form.code.errors = ["Koden stemmer ikke. Sjekk at klokken på telefonen er riktig, "
                                "og prøv neste kode."]
    else:
        status = 200
    return render_template("access/account_enroll.html", form=form, secret=secret,
                           qr=twofactor.qr_svg(uri),
                           required=twofactor.is_required(current_user)), status


@bp.route("/admin/sikkerhet", methods=["GET", "POST"])
@role_required("admin")
def policy():
    form = PolicyForm()
    if request.method == "GET":
        form.require.data = bool(twofactor.required_roles())
    elif form.validate_on_submit():
        twofactor.set_required(bool(form.require.data), current_user)
        audit.record("policy_change", detail=f"tofaktor påkrevd: {bool(form.require.data)}")
        db.session.commit()
        flash("Sikkerhetsinnstillingen er lagret.", "success")
        return redirect(url_for(".policy"))
    else:
        return render_template("access/account_policy.html", form=form,
                               missing=twofactor.users_missing_enrolment()), 400
    return render_template("access/account_policy.html", form=form,
                           missing=twofactor.users_missing_enrolment())


@bp.route("/konto/passord", methods=["GET", "POST"])
def change_password():
    """A new password of the user's own choice; required after an admin's reset. Every
    other login of the user ends, and this one goes on."""
    if current_user.is_sso:
        flash("Du logger inn med kommunens innlogging og har ikke noe passord her.", "info")
        return redirect(url_for("persons.index"))
    form = ChangePasswordForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                admin_ops.change_own_password(current_user.record, form.password.data)
            except admin_ops.AdminError as e:
                db.session.rollback()
                form.password.errors = [str(e)]
            else:
                sessions.start(current_user)
                audit.record("password_changed")
                flash("Passordet er byttet.", "success")
                return redirect(url_for("persons.index"))
        return render_template("access/account_password.html", form=form), 422
    return render_template("access/account_password.html", form=form)
