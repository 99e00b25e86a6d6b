"""The user's own account (two-factor enrolment) and the admin's security policy. Views only."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..extensions import db
from ..forms.account import CodeForm, PolicyForm
from . import audit, twofactor
from .guard import role_required

bp = Blueprint("account", __name__)
PENDING = "totp_pending_secret"


@bp.route("/konto/tofaktor", methods=["GET", "POST"])
def enroll():
    form = CodeForm()
    secret = session.get(PENDING) or twofactor.new_secret()
    session[PENDING] = secret
    uri = twofactor.provisioning_uri(current_user, secret)
    if request.method == "POST":
        if form.validate_on_submit() and twofactor.verify(secret, form.code.data):
            current_user.totp_secret = secret
            session.pop(PENDING, None)
            audit.record("totp_enrolled")
            flash("Tofaktor-innlogging er slått på for kontoen din.", "success")
            return redirect(url_for("persons.index"))
        form.code.errors = list(form.code.errors) or [
            "Koden stemmer ikke. Sjekk at klokken på telefonen er riktig, og prøv neste kode."]
        status = 422
    else:
        status = 200
    return render_template("account/enroll.html", form=form, secret=secret,
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
        return render_template("account/policy.html", form=form,
                               missing=twofactor.users_missing_enrolment()), 400
    return render_template("account/policy.html", form=form,
                           missing=twofactor.users_missing_enrolment())
