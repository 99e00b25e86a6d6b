"""Append-only audit log: who read or changed what, for whom, when and from where."""
from functools import cache

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import bindparam, event, insert
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import AuditEvent, utcnow
from .attempts import client_address

ACTIONS = {
    "login": "Innlogging", "login_failed": "Mislykket innlogging", "logout": "Utlogging",
    "person_create": "Registrerte person", "person_view": "Åpnet personens side",
    "person_update": "Endret person", "person_search": "Søkte etter personer",
    "assessment_create": "Startet kartlegging", "assessment_view": "Åpnet kartlegging",
    "assessment_save": "Lagret svar", "assessment_conflict": "Lagring avvist (konflikt)",
    "assessment_sign": "Signerte", "assessment_correct": "Laget rettelse",
    "pdf_download": "Lastet ned PDF", "pdf_verify": "Kontrollerte PDF",
    "pdf_retimestamp": "Fornyet tidsstempel på signert PDF",
    "handover_start": "Ga nettbrettet til personen", "handover_end": "Avsluttet overlevering",
    "handover_end_failed": "Feil passord ved avslutning av overlevering",
    "handover_stop": "Personen ville stoppe egenvurderingen",
    "selfrating_save": "Livskvalitet besvart",
    "selfrating_compare": "Personen så egne svar fra forrige gang",
    "person_copy": "Laget «Din kartlegging» (personens kopi)",
    "consent_create": "Registrerte samtykke",
    "consent_withdraw": "Trakk tilbake samtykke", "contact_set": "Endret kontaktperson",
    "coordinator_set": "Endret koordinator", "totp_enrolled": "Slo på tofaktor",
    "policy_change": "Endret sikkerhetsinnstilling", "audit_view": "Åpnet logg",
    "audit_export": "Eksporterte logg",
    "person_listed": "Vist i personlisten eller søketreff",
    "person_duplicate": "Forsøkte å registrere et nummer som finnes",
    "person_duplicate_throttled": "Stoppet: for mange forsøk med numre som finnes",
    "logout_everywhere": "Logget ut overalt", "security_view": "Åpnet sikkerhetshendelser",
    "access_denied": "Forsøkte å åpne en person i et annet team (avvist)",
    "password_changed": "Byttet passord",
    "password_change_failed": "Feil nåværende passord ved passordbytte",
    "totp_move_failed": "Feil engangskode ved flytting av tofaktor",
    "admin_users_view": "Åpnet brukeradministrasjonen",
    "admin_user_create": "Opprettet bruker", "admin_user_update": "Endret bruker",
    "admin_user_deactivate": "Deaktiverte bruker", "admin_user_activate": "Aktiverte bruker",
    "admin_password_reset": "Laget midlertidig passord",
    "admin_team_create": "Opprettet team", "admin_team_rename": "Ga team nytt navn",
    "admin_team_contact": "Endret teamets kontaktinformasjon",
    "person_move": "Flyttet person til et annet team",
    "sso_login": "Innlogging med kommunens innlogging (SSO)",
    "sso_refused": "Innlogging med kommunens innlogging avvist",
    "sso_reauth": "Bekreftet med ny innlogging hos kommunens innlogging (SSO)",
    "sso_reauth_refused": "Bekreftelse med kommunens innlogging avvist",
    "my_persons_view": "Åpnet mine personer", "lead_overview": "Åpnet oppfølgingsoversikten",
    "lead_print_preview": "Så forsiden før utskrift",
    "lead_print_pdf": "Skrev ut samlet PDF", "lead_print_download": "Lastet ned samlet PDF",
    "reminder_settings": "Endret varsler (ukentlig e-post)",
    "lead_print_zip": "Lastet ned originaler (ZIP)", "lead_figures": "Åpnet IP-tall",
    "lead_trends": "Åpnet anonymiserte trender", "lead_trends_export": "Eksporterte trender (CSV)",
    "fhir_export": "Eksporterte kartlegging (FHIR)",
    "fhir_import": "Importerte svar (FHIR)",
}

# What the admin's page of security events shows.
SECURITY_ACTIONS = ("login_failed", "handover_end_failed", "person_duplicate",
                    "person_duplicate_throttled", "totp_enrolled", "policy_change",
                    "logout_everywhere", "sso_refused", "sso_reauth_refused", "admin_user_create",
                    "admin_user_update", "admin_user_deactivate", "admin_user_activate",
                    "admin_password_reset", "admin_team_create", "admin_team_rename",
                    "admin_team_contact", "person_move", "password_changed",
                    "password_change_failed", "totp_move_failed")


def _fit(value: str | None, size: int) -> str | None:
    """Text from a client never makes the audit write fail: it is cut to the column."""
    return None if value is None else str(value)[:size]


def row(action, *, person_id=None, obj=None, detail=None, user=None, username=None) -> dict:
    """The audit_event row's values (every column but the id): for `record`, and for a write
    that inserts its audit row in the same statement (`drafts.save`)."""
    user = user if user is not None else (current_user if has_request_context() else None)
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    return dict(
        at=utcnow(), action=action, person_id=person_id,
        user_id=user.id if authenticated else None,
        username=_fit(user.username if authenticated else username, 80),
        object_type=(getattr(obj, "object_type", None) or type(obj).__name__.lower()
                     if obj is not None else None),
        object_id=getattr(obj, "id", None),
        remote_addr=client_address(),  # a valid IP address or None, never client text
        detail=detail)


@cache
def insert_statement():
    """INSERT of audit_event rows, for executemany (built once)."""
    return insert(AuditEvent.__table__)


def parameters(values: dict) -> dict:
    """A `row`'s values as the parameters of `insert_one` (audit_<column>)."""
    return {"audit_" + k: v for k, v in values.items()}


@cache
def insert_one():
    """INSERT of one audit_event row, its values as parameters named audit_<column> (a
    bindparam may not take a column's own name), built once: every autosave runs it."""
    t = AuditEvent.__table__
    return insert(t).values({c.name: bindparam("audit_" + c.name, type_=c.type)
                             for c in t.c if c is not t.c.id})


def record(action: str, *, person_id=None, obj=None, detail: str | None = None,
           user=None, username: str | None = None, commit: bool = True) -> None:
    """Add an audit event to the current transaction, and by default commit both.

    A change and its audit row are committed together: operations flush, the view records
    the event and commits once, so no change is ever stored without its audit row. The row
    is inserted at once (a plain INSERT: no unit-of-work flush for a row never read back).
    """
    db.session.connection().execute(insert_one(), parameters(row(
        action, person_id=person_id, obj=obj, detail=detail, user=user, username=username)))
    if commit:
        db.session.commit()


def record_many(action: str, person_ids, *, detail: str | None = None) -> None:
    """One event per person (e.g. every person shown in a list), committed together."""
    rows = [row(action, person_id=pid, detail=detail) for pid in person_ids]
    if rows:  # one executemany, whatever the number of persons on the page
        now = rows[0]["at"]
        db.session.execute(insert_statement(), [{**r, "at": now} for r in rows])
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
