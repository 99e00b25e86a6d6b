"""Append-only audit log: who read or changed what, for whom, when and from where."""
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import AuditEvent

ACTIONS = {
    "login": "Innlogging", "login_failed": "Mislykket innlogging", "logout": "Utlogging",
    "person_create": "Registrerte person", "person_view": "Så personens side",
    "person_update": "Endret person", "person_search": "Søkte etter personer",
    "assessment_create": "Startet kartlegging", "assessment_view": "Så kartlegging",
    "assessment_save": "Lagret svar", "assessment_conflict": "Lagring avvist (konflikt)",
    "assessment_sign": "Signerte", "assessment_correct": "Laget rettelse",
    "pdf_download": "Lastet ned PDF", "pdf_verify": "Kontrollerte PDF",
    "handover_start": "Ga nettbrettet til personen", "handover_end": "Avsluttet utlevering",
    "handover_end_failed": "Feil passord ved avslutning av utlevering",
    "handover_stop": "Personen ville stoppe egenvurderingen",
    "selfrating_save": "Livskvalitet besvart", "consent_create": "Registrerte samtykke",
    "consent_withdraw": "Trakk tilbake samtykke", "contact_set": "Endret kontaktperson",
    "coordinator_set": "Endret koordinator", "totp_enrolled": "Slo på tofaktor",
    "policy_change": "Endret sikkerhetsinnstilling", "audit_view": "Så logg",
    "audit_export": "Eksporterte logg",
}


def record(action: str, *, person_id=None, obj=None, detail: str | None = None,
           user=None, username: str | None = None, commit: bool = True) -> None:
    user = user if user is not None else (current_user if has_request_context() else None)
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    event = AuditEvent(
        action=action, person_id=person_id,
        user_id=user.id if authenticated else None,
        username=user.username if authenticated else username,
        object_type=type(obj).__name__.lower() if obj is not None else None,
        object_id=getattr(obj, "id", None),
        remote_addr=request.remote_addr if has_request_context() else None,
        detail=detail)
    db.session.add(event)
    if commit:
        db.session.commit()


class AppendOnly(RuntimeError):
    """An AuditEvent was about to be changed or deleted through the ORM."""


@event.listens_for(AuditEvent, "before_update")
def _no_update(mapper, connection, target):
    raise AppendOnly("Logghendelser kan ikke endres.")


@event.listens_for(AuditEvent, "before_delete")
def _no_delete(mapper, connection, target):
    raise AppendOnly("Logghendelser kan ikke slettes.")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_change(state):
    """Bulk UPDATE and DELETE statements on the audit table are refused as well."""
    if state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) == AuditEvent.__tablename__:
            raise AppendOnly("Logghendelser kan ikke endres eller slettes.")
