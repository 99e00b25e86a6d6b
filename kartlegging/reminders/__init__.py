"""Reminders for staff: at login, what fell due since the last visit (on Mine personer), and
an opt-in weekly e-mail digest with counts and a link, never a name, number or health detail
(e-mail is not a safe channel for them).

since_visit.py  the login bookkeeping and the counts since the previous login
digest.py       the digest's counts, the message (email.message) and sending it (smtplib)
views.py        the settings page (turn the digest on or off, the address)
commands.py     `flask reminders digest`, meant for cron or a systemd timer
"""
from flask_login import user_logged_in


def init_app(app):
    from . import commands, since_visit, views
    app.register_blueprint(views.bp)
    commands.init_app(app)
    user_logged_in.connect(since_visit.on_login, app)
    app.jinja_env.globals["since_visit_summary"] = since_visit.summary_for_current_user
