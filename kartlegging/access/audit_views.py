"""Innsyn i logg: team leads see and export who accessed one person's data. Read-only."""
from flask import Blueprint, Response, render_template
from sqlalchemy import select

from ..clock import oslo_datetime
from ..domain import csv_export
from ..extensions import db
from ..models import AuditEvent
from . import audit
from .audit import ACTIONS, SECURITY_ACTIONS
from .guard import role_required, team_person

bp = Blueprint("auditlog", __name__)


def _events(person_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.person_id == person_id).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())))


@bp.route("/personer/<int:person_id>/logg")
@role_required("teamleder", "admin")
def person_log(person_id):
    person = team_person(person_id)
    events = _events(person.id)
    audit.record("audit_view", person_id=person.id)
    return render_template("access/audit_person.html", person=person, events=events,
                           actions=ACTIONS)


@bp.route("/personer/<int:person_id>/logg.csv")
@role_required("teamleder", "admin")
def person_log_csv(person_id):
    person = team_person(person_id)
    rows = [["Tidspunkt (Oslo)", "Bruker", "Handling", "Objekt", "Fra adresse", "Detalj"]]
    rows += [[oslo_datetime(e.at), e.username, ACTIONS.get(e.action, e.action),
              f"{e.object_type or ''} {e.object_id or ''}".strip(), e.remote_addr, e.detail]
             for e in _events(person.id)]
    audit.record("audit_export", person_id=person.id)
    return Response(csv_export.to_text(rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="logg-person-{person.id}.csv"'})


SECURITY_LIMIT = 300


@bp.route("/admin/sikkerhetshendelser")
@role_required("admin")
def security_events():
    """The admin's view of security events: failed logins and lockouts, duplicate-number
    attempts, two-factor and policy changes, "log out everywhere". Newest first."""
    events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.in_(SECURITY_ACTIONS))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(SECURITY_LIMIT)))
    audit.record("security_view")
    return render_template("access/audit_security.html", events=events, actions=ACTIONS,
                           limit=SECURITY_LIMIT)
