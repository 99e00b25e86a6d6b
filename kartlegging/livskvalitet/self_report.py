"""A self-report form (AUDIT-C, DUDIT: `self_report: true` in its file) handed over to the
person on the tablet, through the same fence, welcome, questions and unlock as the
livskvalitet rating. The person fills the staff form's own draft; when staff take the tablet
back it stays a draft, for staff to look over and sign. Staff can also fill it in the
conversation, as any form."""
from flask import abort, redirect, session, url_for
from flask_login import current_user

from ..access import attempts, audit, sessions
from ..assessments import drafts
from ..assessments.views import team_assessment
from .views import bp


@bp.route("/kartlegginger/<int:assessment_id>/selvrapport/gi-nettbrettet", methods=["POST"])
def start_self_report(assessment_id):
    a = team_assessment(assessment_id)
    if not drafts.instrument_of(a).self_report:
        abort(404)
    if a.is_signed:
        abort(409)
    audit.record("handover_start", person_id=a.person_id, obj=a)
    attempts.clear_handover_tries(sessions.current_digest())  # a new hand-over, a new count
    session["handover"] = {"rating_id": a.id, "user_id": current_user.id, "return_to": a.id,
                           "self_report": True}
    return redirect(url_for(".welcome"))
