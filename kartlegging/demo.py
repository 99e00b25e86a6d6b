"""Demo persons for `flask demo` (development only): something for a team lead to follow up.

Some persons are overdue, one is due soon, some have drafts; the signed ones are real signed
PDFs (so printing works), signed back in time through the app's own signing, so every value
stored for speed (the due order, the frozen IP columns) comes from the same writers as in use.
"""
from datetime import timedelta

from .assessments import drafts
from .clock import now_utc
from .domain.instrument_facts import KARTLEGGING, LIVSKVALITET
from .domain.rules import Evaluator, clean
from .extensions import db
from .livskvalitet import ratings
from .models import ContactAssignment, Coordinator, Person, User

DEMO_PERSONS = [
    # name, fødselsnummer (synthetic test numbers), contact, signed days ago, draft, koordinator
    ("Kari Nordmann", "ansatt", 150, False, False, {}),
    ("Ola Hansen", "leder", 135, False, True,
     {"ip_svar": "takket_nei", "ip_avslag_grunn": "Ønsker ikke plan nå."}),
    ("Per Olsen", "ansatt", 125, False, False, {"ip_tilbudt": "nei"}),
    ("Lise Berg", "leder", 110, False, True, {}),
    ("Nora Dahl", "ansatt", 20, True, True, {"ip_var_vurdering": "nei",
                                               "ip_begrunnelse": "Kortvarig behov."}),
    ("Jonas Lie", "ansatt", None, True, False, {}),
    ("Emma Bakke", "leder", None, False, False, {}),
]


def _value(item):
    if item.type == "single_choice":
        return item.options[0].value
    if item.type == "yes_no":
        return "ja"
    if item.type == "multiple_choice":
        values = [o.value for o in item.options if o.value not in ("ingen", "annet")]
        return [v for v in values if not v.startswith("ingen")][:2] or values[:1]
    if item.type == "date":
        return (now_utc().date() - timedelta(days=30)).isoformat()
    if item.type == "number":
        return max(item.min or 0, 2) if item.max is None or item.max >= 2 else item.min
    if item.type == "scale":
        return 4
    return "Demo: kort tekst."


def answers(inst, **overrides) -> dict:
    out: dict = {}
    for item in inst.items.values():
        if Evaluator(inst, out).visible(item):
            out[item.id] = overrides.get(item.id, _value(item))
    out.update(overrides)
    return clean(inst, out)


def seed_persons(team, users: dict[str, User]) -> None:
    from .journal import signing
    reg = drafts.registry()
    inst = reg.latest(KARTLEGGING)
    lk = reg.latest(LIVSKVALITET)
    for n, (name, contact, days, draft, coordinator, extra) in enumerate(DEMO_PERSONS):
        user = users[contact]
        person = Person(team_id=team.id, name=name, national_id=None,
                        no_id_reason="Demoperson uten fødselsnummer", created_by_id=user.id)
        db.session.add(person)
        db.session.flush()
        db.session.add(ContactAssignment(person_id=person.id, user_id=user.id,
                                         recorded_by_id=user.id))
        if coordinator:
            db.session.add(Coordinator(person_id=person.id, name="Koordinator Demo",
                                       service="NAV Alna", since=now_utc().date(),
                                       recorded_by_id=user.id))
        if days is not None:
            a = drafts.start(person, user)
            a.answers = answers(inst, **extra)
            db.session.commit()
            signing.sign(a, user, at=now_utc() - timedelta(days=days))
            for k, mean in enumerate((3, 3 + n % 3)):
                r = drafts.start(person, user, LIVSKVALITET, parent_id=a.id,
                                 rated_by_person=True)
                r.answers = {i: mean + (j % 2) for j, i in enumerate(lk.items)
                             if lk.items[i].type == "scale"}
                ratings.complete(r, reg, a.signed_at + timedelta(days=k))
        if draft:
            d = drafts.start(person, user)
            d.answers = {"sivilstand": inst.items["sivilstand"].options[0].value} \
                if "sivilstand" in inst.items else {}
        db.session.commit()
