"""User and team administration: plain functions the admin views call. They flush, never
commit: the view records the audit event and commits both together."""
import secrets

from flask import current_app
from sqlalchemy import func, or_, select

from ..access import sessions, usernames
from ..cli import password_problem
from ..extensions import db
from ..models import ROLES, Person, Team, User


class AdminError(ValueError):
    """A change the admin asked for that cannot be made; the message is Norwegian."""


def find_users(query: str | None = None) -> list[User]:
    """Every user, or those whose user name, name, role or team contains `query`."""
    stmt = select(User).join(Team, User.team_id == Team.id)
    q = (query or "").strip().lower()
    if q:
        like = f"%{q}%"
        roles = [key for key, label in ROLES.items() if q in label.lower() or q in key]
        stmt = stmt.where(or_(func.lower(User.username).like(like),
                              func.lower(User.name).like(like),
                              func.lower(Team.name).like(like),
                              User.role.in_(roles)))
    return list(db.session.scalars(stmt.order_by(Team.name, User.name)))


def teams() -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def _check_username(username: str) -> str:
    """The name in its normalised form; refused if it has invisible characters or cannot
    be told from an existing user's name."""
    name, why = usernames.new_name_problem(username)
    if why:
        raise AdminError(why)
    return name


def _check_role_team(role: str, team_id: int) -> Team:
    if role not in ROLES:
        raise AdminError("Ukjent rolle.")
    team = db.session.get(Team, team_id)
    if team is None:
        raise AdminError("Velg et team som finnes.")
    return team


def temporary_password() -> str:
    """A temporary password that passes the password rules (letters, digits and a dash)."""
    return f"{secrets.token_hex(4)}-{secrets.token_urlsafe(9)}"


def _hash(user: User, password: str) -> None:
    user.set_password(password, current_app.config.get("PASSWORD_HASH_METHOD"))


def create_local_user(username: str, name: str, role: str, team_id: int,
                      require_totp: bool = False) -> tuple[User, str]:
    """A local user with a temporary password that must be changed at the first login.
    Returns the user and the temporary password (shown to the admin once)."""
    username = _check_username(username)
    _check_role_team(role, team_id)
    if not name.strip():
        raise AdminError("Skriv brukerens navn.")
    user = User(username=username, name=name.strip(), role=role, team_id=team_id,
                must_change_password=True, totp_required=require_totp)
    password = temporary_password()
    _hash(user, password)
    db.session.add(user)
    db.session.flush()
    return user, password


def update_user(user: User, *, name: str, role: str, team_id: int, require_totp: bool,
                by: User, hpr_nummer: str | None = None) -> list[str]:
    """Change name, role, team, the two-factor requirement and the HPR-nummer (already
    normalised; None clears it). Returns what changed (for the audit). An admin cannot take
    away their own admin role (no locked-out service)."""
    _check_role_team(role, team_id)
    if user.id == by.id and role != "admin":
        raise AdminError("Du kan ikke ta bort din egen administratorrolle.")
    changes = []
    if name.strip() and name.strip() != user.name:
        changes.append(f"navn: {user.name} → {name.strip()}")
        user.name = name.strip()
    if role != user.role:
        changes.append(f"rolle: {user.role} → {role}")
        user.role = role
    if team_id != user.team_id:
        changes.append(f"team: {user.team.name} → {db.session.get(Team, team_id).name}")
        user.team_id = team_id
    if require_totp != user.totp_required:
        changes.append(f"tofaktor påkrevd: {require_totp}")
        user.totp_required = require_totp
    if hpr_nummer != user.hpr_nummer:
        changes.append(f"HPR-nummer: {user.hpr_nummer or 'ingen'} → {hpr_nummer or 'ingen'}")
        user.hpr_nummer = hpr_nummer
    db.session.flush()
    return changes


def deactivate(user: User, by: User) -> int:
    """The account can no longer log in, and every open session of it ends at once."""
    if user.id == by.id:
        raise AdminError("Du kan ikke deaktivere din egen konto.")
    user.active = False
    n = sessions.end_all(user.id)
    db.session.flush()
    return n


def activate(user: User) -> None:
    user.active = True
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()


def reset_password(user: User) -> tuple[str, int]:
    """A temporary password that must be changed at the next login; every session ends.
    Two-factor is turned off too: a reset is the way back for a user who lost the phone
    (moving two-factor otherwise needs a code from it), and the user sets it up again.
    Returns the password (shown to the admin once) and how many sessions ended."""
    if user.is_sso:
        raise AdminError("Brukeren logger inn med kommunens innlogging (SSO) og har ikke "
                         "noe passord her.")
    password = temporary_password()
    _hash(user, password)
    user.must_change_password = True
    user.totp_secret = None
    user.failed_logins = 0
    user.locked_until = None
    n = sessions.end_all(user.id)
    db.session.flush()
    return password, n


def change_own_password(user: User, new_password: str) -> None:
    """The user's own new password (after a reset); ends the user's other sessions."""
    problem = password_problem(new_password)
    if problem:
        raise AdminError(problem)
    if user.check_password(new_password):
        raise AdminError("Velg et annet passord enn det midlertidige.")
    _hash(user, new_password)
    user.must_change_password = False
    sessions.end_all(user.id)
    db.session.flush()


def create_team(name: str) -> Team:
    name = name.strip()
    if not name:
        raise AdminError("Skriv teamets navn.")
    if db.session.scalar(select(Team.id).where(func.lower(Team.name) == name.lower())):
        raise AdminError(f"Et team med navnet «{name}» finnes allerede.")
    team = Team(name=name)
    db.session.add(team)
    db.session.flush()
    return team


def rename_team(team: Team, name: str) -> str:
    """Returns the old name."""
    name = name.strip()
    if not name:
        raise AdminError("Skriv teamets navn.")
    clash = db.session.scalar(select(Team.id).where(func.lower(Team.name) == name.lower(),
                                                    Team.id != team.id))
    if clash:
        raise AdminError(f"Et team med navnet «{name}» finnes allerede.")
    old, team.name = team.name, name
    db.session.flush()
    return old


def set_team_contact(team: Team, text: str | None) -> bool:
    """Whether the team's contact text changed (blank lines and edges trimmed; empty: none)."""
    text = "\n".join(s for s in (line.strip() for line in (text or "").splitlines()) if s) or None
    if text == team.contact:
        return False
    team.contact = text
    db.session.flush()
    return True


def move_person(person: Person, team_id: int, reason: str) -> tuple[Team, Team]:
    """Move a person (and so every kartlegging, rating and consent, which follow the
    person) to another team. The history is kept: the kontaktperson row stays as it was
    and the new team sets its own. Returns the old and the new team."""
    reason = reason.strip()
    if not reason:
        raise AdminError("Skriv hvorfor personen flyttes.")
    team = db.session.get(Team, team_id)
    if team is None:
        raise AdminError("Velg et team som finnes.")
    if team.id == person.team_id:
        raise AdminError("Personen hører allerede til dette teamet.")
    old = person.team
    person.team_id = team.id
    db.session.flush()
    db.session.refresh(person)
    return old, team



def person_by_number(number: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.national_id == number))


PERSON_HITS = 50


def find_persons(text: str) -> tuple[list[Person], bool]:
    """Persons of any team whose fødselsnummer/D-nummer is `text` (11 digits, spaces
    allowed), or whose name contains every word of it (many have no number); at most
    PERSON_HITS by name, and whether there were more."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 11 and not any(ch.isalpha() for ch in text):
        person = person_by_number(digits)
        return ([person] if person else []), False
    words = [w for w in text.lower().split() if w][:5]
    if not words:
        return [], False
    stmt = select(Person).where(*[func.lower(Person.name).like(f"%{w}%") for w in words])
    found = list(db.session.scalars(stmt.order_by(Person.name, Person.id)
                                    .limit(PERSON_HITS + 1)))
    return found[:PERSON_HITS], len(found) > PERSON_HITS
