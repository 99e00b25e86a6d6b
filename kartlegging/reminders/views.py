"""The reminders settings page: the weekly e-mail digest on or off, and its address."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import audit
from ..access.guard import role_required
from ..extensions import db
from ..forms.reminders import DigestForm
from ..models import ReminderSetting
from .since_visit import setting_of

bp = Blueprint("reminders", __name__)


@bp.route("/varsler", methods=["GET", "POST"])
@role_required("ansatt", "teamleder", "admin")
def settings():
    stored = db.session.get(ReminderSetting, current_user.id)
    form = DigestForm() if request.method == "POST" else DigestForm(obj=stored)
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("reminders/settings.html", form=form), 400
        row = setting_of(current_user.id)
        row.digest_weekly = bool(form.digest_weekly.data)
        row.digest_email = (form.digest_email.data or "").strip() or None
        audit.record("reminder_settings",
                     detail="ukentlig e-post på" if row.digest_weekly else "ukentlig e-post av")
        flash("Varslene er lagret.", "success")
        return redirect(url_for("reminders.settings"))
    return render_template("reminders/settings.html", form=form)
