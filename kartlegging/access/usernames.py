"""User names against the users there are: one that cannot be told from an existing one
is refused, and a typed name finds its user in the stored (normalised) form."""
from sqlalchemy import select

from ..domain.usernames import normalise, problem
from ..extensions import db
from ..models import User

TAKEN = "Brukernavnet «{name}» finnes allerede."
LOOKS_LIKE = "Brukernavnet «{name}» kan ikke skilles fra «{existing}», som finnes allerede."


def collision(name: str) -> str | None:
    """The existing user name that `name` is the same as once both are normalised (names
    stored before normalising included), or None. Reads every user name: the table holds
    the municipality's staff, and this runs only when a user is made."""
    wanted = normalise(name)
    for existing in db.session.scalars(select(User.username)):
        if normalise(existing) == wanted:
            return existing
    return None


def new_name_problem(raw: str | None) -> tuple[str, str | None]:
    """(the normalised name, why it cannot be a new user's name or None)."""
    why = problem(raw)
    name = normalise(raw)
    if why:
        return name, why
    existing = collision(name)
    if existing is not None:
        typed = (raw or "").strip()
        return name, (TAKEN.format(name=existing) if typed.lower() == existing
                      else LOOKS_LIKE.format(name=typed, existing=existing))
    return name, None


def find(raw: str | None) -> User | None:
    """The user a typed name means: its normalised form, else (a name stored before names
    were normalised) the name as typed, in lower case."""
    name = normalise(raw)
    user = db.session.scalar(select(User).where(User.username == name)) if name else None
    legacy = (raw or "").strip().lower()
    if user is None and legacy and legacy != name:
        user = db.session.scalar(select(User).where(User.username == legacy))
    return user
