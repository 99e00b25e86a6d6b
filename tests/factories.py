"""Small factories for tests: teams, users, persons, fully filled assessments."""
from kartlegging.assessments import drafts as ops
from kartlegging.clock import now_utc
from kartlegging.domain.due import local_date
from kartlegging.domain.instrument_facts import KARTLEGGING, LIVSKVALITET
from kartlegging.domain.instrument_types import Instrument
from kartlegging.domain.rules import Evaluator, clean, frozen_ip
from kartlegging.extensions import db
from kartlegging.livskvalitet.ratings import mean_score
from kartlegging.models import Assessment, ContactAssignment, Coordinator, Person, Team, User

# A valid fødselsnummer per index (generated with correct control digits).
K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def fnr(day: int = 1, month: int = 1, year: int = 80, individ: int = 123) -> str:
    """The first valid number at or after `individ` for the date (1900s if individ < 500)."""
    for i in range(individ, 1000):
        base = [int(c) for c in f"{day:02d}{month:02d}{year:02d}{i:03d}"]
        k1 = 11 - sum(w * d for w, d in zip(K1, base)) % 11
        k1 = 0 if k1 == 11 else k1
        if k1 == 10:
            continue
        k2 = 11 - sum(w * d for w, d in zip(K2, base + [k1])) % 11
        k2 = 0 if k2 == 11 else k2
        if k2 == 10:
            continue
        return "".join(map(str, base + [k1, k2]))
    raise ValueError("no valid number")


def default_value(item, n: int = 0):
    if item.type in ("single_choice",):
        return item.options[0].value
    if item.type == "yes_no":
        return "ja"
    if item.type == "multiple_choice":
        values = [o.value for o in item.options if o.value not in ("ingen", "annet")]
        picked = [v for v in values if not v.startswith("ingen")][:2]
        return picked or values[:1]
    if item.type == "date":
        return "2026-11-01"
    if item.type == "number":
        return max(item.min or 0, 2) if item.max is None or item.max >= 2 else item.min
    if item.type == "scale":
        return 5
    return f"Svar på «{item.label}» – æøå"


def filled_answers(inst: Instrument, **overrides) -> dict:
    """Every item that is shown gets an answer (and a comment), in file order."""
    answers: dict = {}
    for item in inst.items.values():
        if not Evaluator(inst, answers).visible(item):
            continue
        answers[item.id] = overrides.get(item.id, default_value(item))
        if item.comment:
            answers[item.comment_id] = f"Kommentar til {item.label}"
    answers.update({k: v for k, v in overrides.items() if v is not None})
    return clean(inst, {k: v for k, v in answers.items() if overrides.get(k, 0) is not None})


class Factory:
    def __init__(self, app, password):
        self.app = app
        self.password = password
        self.team_a = self.team("Rusteam Alna")
        self.team_b = self.team("Rusteam Nordstrand")
        self._n = 0

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
        reg = self.app.extensions["instruments"]
        inst = reg.get(key, version) if version else reg.latest(key)
        a = Assessment(person_id=person.id, instrument_key=inst.key,
                       instrument_version=inst.version,
                       answers=filled_answers(inst, **overrides) if filled else {},
                       created_by_id=by.id, updated_by_id=by.id)
        db.session.add(a)
        db.session.commit()
        return a

    def rating(self, kartlegging, by, values=None, by_person=True, completed=True, version=None):
        reg = self.app.extensions["instruments"]
        inst = reg.get(LIVSKVALITET, version) if version else reg.latest(LIVSKVALITET)
        answers = values if values is not None else filled_answers(inst)
        r = Assessment(person_id=kartlegging.person_id, instrument_key=inst.key,
                       instrument_version=inst.version, answers=answers,
                       parent_id=kartlegging.id, rated_by_person=by_person,
                       created_by_id=by.id, updated_by_id=by.id,
                       completed_at=now_utc() if completed else None)
        if completed:
            r.score = mean_score(r, self.app.extensions["instruments"])
        db.session.add(r)
        db.session.commit()
        return r

    def signed(self, person, by, signed_at=None, pdf: bytes | None = None,
               **overrides) -> Assessment:
        """A filled kartlegging frozen as signing does it (IP columns from the rules), with
        small stand-in PDF bytes naming its document id instead of a rendered, signed file."""
        a = self.assessment(person, by, **overrides)
        a.status = "signed"
        a.signed_at = signed_at or now_utc()
        a.signed_by_id = by.id
        for column, value in frozen_ip(ops.instrument_of(a), a.answers,
                                       local_date(a.signed_at)).items():
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
