"""The user's own account (two-factor enrolment) and the admin's security policy. Views only."""
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from ..admin import operations as admin_ops
from ..extensions import db
from ..forms.account import ChangePasswordForm, EnrollForm, PolicyForm
from . import attempts, audit, sessions, twofactor
from .guard import role_required
from .login import confirm_password

bp = Blueprint("account", __name__)
PENDING = "totp_pending_secret"


@bp.route("/konto/tofaktor", methods=["GET", "POST"])
def enroll():
    """Turning two-factor on needs the password; moving it to a new phone also needs a code
    from the phone it is on now (lost phone: an admin's password reset turns it off)."""
    form = EnrollForm()
    secret = session.get(PENDING) or twofactor.new_secret()
    session[PENDING] = secret
    uri = twofactor.provisioning_uri(current_user, secret)
    moving = bool(current_user.totp_secret)
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            if problem := confirm_password(current_user.record, form.password.data,
                                           code_follows=moving):
                form.password.errors = [problem]
                status = 403
            elif moving and not form.current_code.data:
                form.current_code.errors = ["Skriv koden fra telefonen du bruker nå."]
            elif moving:
                step = twofactor.matching_step(secret, form.code.data)
                problem = None if step is None else _current_code_problem(form.current_code.data)
                if problem:
                    form.current_code.errors = [problem]
                    status = 403
                elif step is not None:
                    user = current_user.record
                    user.totp_secret = secret
                    # The old phone's code just used may share the new code's time step.
                    user.totp_last_step = max(user.totp_last_step or 0, step)
                    return _enrolled("flyttet til ny telefon")
            elif twofactor.use_code(current_user, form.code.data, secret):
                current_user.record.totp_secret = secret
                return _enrolled(None)
        if not form.errors:
            form.code.errors = ["Koden stemmer ikke. Sjekk at klokken på telefonen er riktig, "
                                "og prøv neste kode."]
    else:
        status = 200
    return render_template("access/account_enroll.html", form=form, secret=secret,
                           qr=twofactor.qr_svg(uri), moving=moving,
                           required=twofactor.is_required(current_user)), status


def _current_code_problem(code: str) -> str | None:
    """The code from the phone two-factor is on now, counted like a login code try."""
    user = current_user.record
    number = attempts.reserve_try(user)
    if number is None:
        return attempts.locked_message(user)
    if twofactor.use_code(user, code):
        attempts.reset_tries(user)
        return None
    audit.record("totp_move_failed", detail="feil engangskode fra telefonen i bruk")
    if number >= current_app.config["LOGIN_MAX_FAILURES"]:
        return attempts.locked_message(user)
    return "Feil engangskode fra telefonen du bruker nå."


def _enrolled(detail: str | None):
    session.pop(PENDING, None)
    audit.record("totp_enrolled", detail=detail)
    flash("Tofaktor-innlogging er slått på for kontoen din.", "success")
    return redirect(url_for("persons.index"))


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
    other login of the user ends, and this one goes on.

    The current password is asked and counted like any password try (the login lockout):
    an open session alone must not be enough to take the account for good. Only the forced
    change right after an admin's reset goes without it (the temporary password was just
    typed at login)."""
    if current_user.is_sso:
        flash("Du logger inn med kommunens innlogging og har ikke noe passord her.", "info")
        return redirect(url_for("persons.index"))
    form = ChangePasswordForm()
    forced = bool(current_user.must_change_password)
    if request.method == "POST":
        status = 422
        if not forced and not form.current.data:
            form.validate_on_submit()
            form.current.errors = ["Skriv passordet du bruker nå."]
        elif form.validate_on_submit():
            problem = None if forced else confirm_password(current_user.record,
                                                           form.current.data)
            if problem:
                audit.record("password_change_failed", detail="feil nåværende passord")
                form.current.errors = [problem]
                status = 403
            else:
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
        return render_template("access/account_password.html", form=form,
                               forced=forced), status
    return render_template("access/account_password.html", form=form, forced=forced)
