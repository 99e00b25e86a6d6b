"""Small factories for tests: teams, users, persons, fully filled assessments.

Answers, fødselsnumre and stand-in signings come from kartlegging.seeding, where the demo and
the bench make theirs too."""
from kartlegging.clock import now_utc
from kartlegging.domain.instrument_facts import KARTLEGGING, LIVSKVALITET
from kartlegging.extensions import db
from kartlegging.livskvalitet import ratings
from kartlegging.models import Assessment, ContactAssignment, Coordinator, Person, Team, User
from kartlegging.seeding.answers import default_value, filled_answers, fnr
from kartlegging.seeding.stand_in import signed_columns

__all__ = ["WRITTEN_AGAINST", "Factory", "default_value", "filled_answers", "fnr", "tiny_pdf"]

# The versions the follow-up (tests/lead) and FHIR tests are written against: the IP statuses,
# means and mapped items they assert are Alna v2's and livskvalitet v1's. A test module that
# sets `INSTRUMENT_VERSIONS = WRITTEN_AGAINST` gets a factory that makes these versions unless
# a call asks for another (the `factory` fixture in conftest.py); elsewhere the newest.
WRITTEN_AGAINST = {KARTLEGGING: 2, LIVSKVALITET: 1}


class Factory:
    # instrument key -> version made unless a call asks (the newest if absent); a class default
    # too, for a factory set up by hand around an existing team (tests/browser/test_lead.py)
    versions: dict[str, int] = {}

    def __init__(self, app, password, versions: dict[str, int] | None = None):
        self.app = app
        self.password = password
        self.versions = versions or {}
        self.team_a = self.team("Rusteam Alna")
        self.team_b = self.team("Rusteam Nordstrand")
        self._n = 0

    def _instrument(self, key, version=None):
        reg = self.app.extensions["instruments"]
        version = version or self.versions.get(key)
        return reg.get(key, version) if version else reg.latest(key)

    def team(self, name):
        t = Team(name=name)
        db.session.add(t)
        db.session.commit()
        return t

    def user(self, role="ansatt", team=None, username=None, name=None):
        self._n += 1
        team = team or self.team_a
        u = User(username=username or f"{role}{self._n}", name=name or f"{role.title()} {self._n}",
                 role=role, team_id=team.id)
        u.set_password(self.password, "pbkdf2:sha256:1000")
        db.session.add(u)
        db.session.commit()
        return u

    def person(self, team=None, name=None, contact=None, **kw):
        self._n += 1
        team = team or self.team_a
        contact = contact or self.user("ansatt", team=team)
        p = Person(team_id=team.id, name=name or f"Person {self._n}",
                   national_id=kw.pop("national_id", fnr(individ=100 + self._n * 3)),
                   created_by_id=contact.id, **kw)
        db.session.add(p)
        db.session.flush()
        db.session.add(ContactAssignment(person_id=p.id, user_id=contact.id,
                                         recorded_by_id=contact.id))
        db.session.commit()
        return p

    def assessment(self, person, by, filled=True, key=KARTLEGGING, version=None,
                   **overrides) -> Assessment:
        inst = self._instrument(key, version)
        a = Assessment(person_id=person.id, instrument_key=inst.key,
                       instrument_version=inst.version,
                       answers=filled_answers(inst, **overrides) if filled else {},
                       created_by_id=by.id, updated_by_id=by.id)
        db.session.add(a)
        db.session.commit()
        return a

    def rating(self, kartlegging, by, values=None, by_person=True, completed=True, version=None):
        inst = self._instrument(LIVSKVALITET, version)
        answers = values if values is not None else filled_answers(inst)
        r = Assessment(person_id=kartlegging.person_id, instrument_key=inst.key,
                       instrument_version=inst.version, answers=answers,
                       parent_id=kartlegging.id, rated_by_person=by_person,
                       created_by_id=by.id, updated_by_id=by.id)
        if completed:
            ratings.complete(r, self.app.extensions["instruments"], now_utc())
        db.session.add(r)
        db.session.commit()
        return r

    def signed(self, person, by, signed_at=None, pdf: bytes | None = None,
               **overrides) -> Assessment:
        """A filled kartlegging frozen as signing does it (seeding.stand_in: the IP columns from
        the rules), with small stand-in PDF bytes naming its document id instead of a rendered,
        signed file."""
        a = self.assessment(person, by, **overrides)
        inst = self._instrument(a.instrument_key, a.instrument_version)
        for column, value in signed_columns(inst, a.answers, signed_at or now_utc(),
                                            by.id).items():
            setattr(a, column, value)
        a.signed_pdf = pdf if pdf is not None else tiny_pdf(a.document_id)
        db.session.commit()
        return a

    def coordinator(self, person, by, name="Kari Koordinator"):
        from datetime import date
        c = Coordinator(person_id=person.id, name=name, service="NAV Alna",
                        since=date(2026, 1, 1), recorded_by_id=by.id)
        db.session.add(c)
        db.session.commit()
        return c


def tiny_pdf(text: str, pages: int = 1) -> bytes:
    """A small real PDF whose pages say `text` (for merge and archive tests)."""
    import io

    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n in range(pages):
        c.drawString(72, 720, f"{text} side {n + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()
