"""Database models. Times are stored in UTC (naive) and shown in Europe/Oslo."""
from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    delete,
    event,
    insert,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .domain import name_search
from .domain.identity import number_label
from .extensions import db

# Person.due_order of a person whose kartlegging was never signed.
NEVER_SIGNED = datetime(1900, 1, 1)
NEVER_SIGNED_SQL = "1900-01-01 00:00:00.000000"
# Person.quality_order of a person with no completed livskvalitet rating: above every mean (1–7),
# so that those come last in an ascending index alike on SQLite and PostgreSQL.
NO_RATING = 99.0

ROLES = {"ansatt": "Ansatt", "teamleder": "Teamleder", "admin": "Administrator"}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Team(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # How a person reaches the team (telephone, opening hours, address): printed in their copy
    # of a kartlegging. Never about a person.
    contact: Mapped[str | None] = mapped_column(String(500))


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="ansatt")
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # Key for the encrypted copy of unsaved answers in the browser (AES-GCM, base64url).
    # Handed out only to a logged-in session; replaced at logout, so a copy left on a
    # shared tablet cannot be read afterwards.
    device_key: Mapped[str | None] = mapped_column(String(64))
    # The TOTP time step of the last accepted code: a code is never accepted twice.
    totp_last_step: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by an admin's password reset: the next login must choose a new password.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Two-factor required for this account by an admin (besides the role policy).
    totp_required: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None]
    # Single sign-on: the identity provider and its subject; such users have no password.
    sso_issuer: Mapped[str | None] = mapped_column(String(255))
    sso_subject: Mapped[str | None] = mapped_column(String(255), index=True)
    # Helsepersonellregisteret's number (domain/hpr.py): set by an admin or the SSO claim;
    # names the signer as a Practitioner in FHIR documents.
    hpr_nummer: Mapped[str | None] = mapped_column(String(9))
    team: Mapped[Team] = relationship()

    @property
    def is_sso(self) -> bool:
        return self.sso_subject is not None

    def set_password(self, password: str, method: str | None = None) -> None:
        kw = {"method": method} if method else {}
        self.password_hash = generate_password_hash(password, **kw)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password or "")

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def is_lead(self) -> bool:
        return self.role in ("teamleder", "admin")

    @property
    def team_name(self) -> str:
        return self.team.name

    @property
    def record(self) -> "User":
        """The User itself: `current_user` is usually an access.sessions.LoginUser, a
        read-only copy whose `record` loads the User; in the login request it is the User."""
        return self


class Person(db.Model):
    """A tjenestemottaker. The identity number is unique across the whole service."""
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    national_id: Mapped[str | None] = mapped_column(String(11), unique=True)
    no_id_reason: Mapped[str | None] = mapped_column(Text)
    birth_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)
    # The next evaluation's sort key: when the person's newest kartlegging was signed, or
    # NEVER_SIGNED (a date before any signing, so that those come first in an ascending index
    # alike on SQLite and PostgreSQL, which order NULLs differently). Kept by the Assessment
    # events below, so the team lead's overview sorts and filters by the next evaluation through
    # an index instead of looking up every person's newest signing.
    due_order: Mapped[datetime] = mapped_column(default=NEVER_SIGNED,
                                                server_default=NEVER_SIGNED_SQL)
    # The newest completed livskvalitet rating's mean, or NO_RATING: the overview's livskvalitet
    # order walks the (team_id, quality_order, name, id) index. Kept by the Assessment events.
    quality_order: Mapped[float] = mapped_column(Float, default=NO_RATING,
                                                 server_default=str(NO_RATING))
    team: Mapped[Team] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_person_team_name", "team_id", "name"),
        # The overview's default order: never signed first, then the oldest signing.
        Index("ix_person_team_due", "team_id", "due_order", "name", "id"),
        # The overview sorted by livskvalitet: the lowest newest mean first, no rating last.
        Index("ix_person_team_quality", "team_id", "quality_order", "name", "id"),
    )

    @property
    def last_signing(self) -> datetime | None:
        """When the newest kartlegging was signed (due_order read back), None if never."""
        return None if self.due_order == NEVER_SIGNED else self.due_order

    @property
    def national_id_formatted(self) -> str | None:
        n = self.national_id
        return f"{n[:6]} {n[6:]}" if n else None

    @property
    def national_id_label(self) -> str | None:
        """«Fødselsnummer», «D-nummer», «H-nummer», «… (testnummer)» for synthetic numbers."""
        return number_label(self.national_id) if self.national_id else None


class PersonNameToken(db.Model):
    """One case-folded word of a person's name, for indexed prefix search (domain.name_search)."""
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    token: Mapped[str] = mapped_column(String(100), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    # The person's whole name, so that one word's hits come out of the index in name order
    # (persons.operations.search reads a page of them without sorting every hit).
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")

    __table_args__ = (Index("ix_person_name_token_team_token_name", "team_id", "token", "name",
                            "person_id"),)


def name_token_rows(person) -> list[dict]:
    """The PersonNameToken rows a person's name and team give (the one definition)."""
    return [{"person_id": person.id, "team_id": person.team_id, "token": t, "name": person.name}
            for t in name_search.tokens(person.name)]


@event.listens_for(Person, "after_insert")
def _index_new_name(mapper, connection, person):
    rows = name_token_rows(person)
    if rows:
        connection.execute(insert(PersonNameToken.__table__), rows)


@event.listens_for(Person, "after_update")
def _reindex_name(mapper, connection, person):
    connection.execute(delete(PersonNameToken.__table__).where(
        PersonNameToken.person_id == person.id))
    _index_new_name(mapper, connection, person)


class ContactAssignment(db.Model):
    """Fast kontaktperson history (Tiltak 1): exactly one open row per person."""
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])

    # The open assignment per person (team lead's overview joins on it), and a contact's open
    # assignments (Mine personer starts from them).
    __table_args__ = (Index("ix_contact_assignment_open", "person_id", "ended_at"),
                      Index("ix_contact_assignment_user_open", "user_id", "ended_at",
                            "person_id"))


class Coordinator(db.Model):
    """Koordinator (hol. § 7-2), optional; history kept by ending rows."""
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    service: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    since: Mapped[date]
    ended_at: Mapped[datetime | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])

    __table_args__ = (Index("ix_coordinator_open", "person_id", "ended_at"),)


class Consent(db.Model):
    """Samtykke (Tiltak 1 and 7): what, with whom, for how long. Never deleted."""
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    categories: Mapped[list] = mapped_column(JSON, default=list)
    categories_text: Mapped[str | None] = mapped_column(Text)
    party_kind: Mapped[str] = mapped_column(String(40))
    party_name: Mapped[str | None] = mapped_column(String(200))
    party_relation: Mapped[str | None] = mapped_column(String(120))
    direction: Mapped[str] = mapped_column(String(10), default="begge")
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    given_how: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    withdrawn_on: Mapped[date | None]
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])


class Assessment(db.Model):
    """One filled instrument. Kartlegging and self-ratings alike; signed rows are immutable."""
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    instrument_key: Mapped[str] = mapped_column(String(80))
    instrument_version: Mapped[int]
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Answers of items that are hidden now (e.g. "Nei" to a gate question): kept aside so
    # they come back when the item shows again; never counted, exported or printed, and
    # dropped at signing.
    set_aside: Mapped[dict | None] = mapped_column(JSON)
    # The section last saved, so "Fortsett" resumes there.
    last_section: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    version: Mapped[int] = mapped_column(default=1)
    # Self-rating: which kartlegging it was taken with, and who answered.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"))
    rated_by_person: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    completed_at: Mapped[datetime | None]
    # Frozen at signing (the signed PDF holds the same): queryable for team-lead views.
    signed_at: Mapped[datetime | None] = mapped_column(index=True)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    ip_outcome: Mapped[str | None] = mapped_column(String(40))
    ip_decision: Mapped[str | None] = mapped_column(String(20))
    ip_answer: Mapped[str | None] = mapped_column(String(40))
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    signed_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"))
    # Livskvalitet: the mean over answered items, frozen when the rating is completed (a
    # completed rating never changes), so the team lead's overview can sort and compare in SQL.
    score: Mapped[float | None] = mapped_column(Float)
    # A self-rating's language as the person chose it on the tablet (None: bokmål, the form's
    # own). The answers are the same codes in every language; the journal names the language.
    language: Mapped[str | None] = mapped_column(String(8))

    # Latest signed / draft / rating per person: the team lead's overview asks it of each row.
    __table_args__ = (Index("ix_assessment_person_kind", "person_id", "instrument_key",
                            "status", "signed_at"),)

    person: Mapped[Person] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    parent: Mapped["Assessment | None"] = relationship(
        remote_side=[id], foreign_keys=[parent_id])
    supersedes: Mapped["Assessment | None"] = relationship(
        remote_side=[id], foreign_keys=[supersedes_id])

    @property
    def is_signed(self) -> bool:
        return self.status == "signed"

    # One document number per kartlegging, one version per document in its correction chain:
    # "KL-000004, versjon 2" (the save counter `version` is for locking, not for readers).
    @property
    def document_number(self) -> str:
        first = self
        while first.supersedes is not None:
            first = first.supersedes
        return f"KL-{first.id:06d}"

    @property
    def document_version(self) -> int:
        n, cur = 1, self
        while cur.supersedes is not None:
            n, cur = n + 1, cur.supersedes
        return n

    @property
    def document_id(self) -> str:
        return f"{self.document_number}, versjon {self.document_version}"

    @property
    def document_label(self) -> str:
        """'KL-000004, versjon 2 (rettelse av versjon 1)'."""
        v = self.document_version
        return self.document_id + (f" (rettelse av versjon {v - 1})" if v > 1 else "")

    @property
    def document_filename(self) -> str:
        return f"{self.document_number}-versjon-{self.document_version}.pdf"


class AuditEvent(db.Model):
    """Append-only access and change log (Normen; innsyn i logg). No route updates or deletes."""
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    username: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)


class LoginSession(db.Model):
    """A server-side record of one login: the signed cookie carries only its token, so
    logout, password change, deactivation and "log out everywhere" end every copy at once."""
    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # Wrong tries at ending this login's hand-over, and when the next try is allowed: a
    # counter of its own, never the account's login lockout (access/attempts.py).
    handover_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    handover_wait_until: Mapped[datetime | None]


class AppSetting(db.Model):
    """Service-wide settings an admin changes in the app (e.g. two-factor policy)."""
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class ReminderSetting(db.Model):
    """One staff member's reminders (reminders/): the logins that bound «what fell due since
    your last visit», and the weekly e-mail digest (counts and a link only) if turned on."""
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    last_visit_at: Mapped[datetime | None]      # this login
    previous_visit_at: Mapped[datetime | None]  # the login before it
    digest_weekly: Mapped[bool] = mapped_column(default=False, server_default="0")
    digest_email: Mapped[str | None] = mapped_column(String(254))
    digest_sent_at: Mapped[datetime | None]
