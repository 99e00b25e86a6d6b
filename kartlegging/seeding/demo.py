"""Demo persons for `flask demo` (development only): something for a team lead to follow up.

Some persons are overdue, one is due soon, some have drafts; the signed ones are real signed
PDFs (so printing works), signed back in time through the app's own signing, so every value
stored for speed (the due order, the frozen IP columns) comes from the same writers as in use.
"""
from datetime import timedelta

from ..assessments import drafts
from ..clock import now_utc
from ..domain.instrument_facts import KARTLEGGING, LIVSKVALITET
from ..extensions import db
from ..journal import signing
from ..livskvalitet import ratings
from ..models import ContactAssignment, Coordinator, Person, User
from .answers import demo_style, filled_answers

DEMO_PERSONS = [
    # name, contact, signed days ago, draft, koordinator, answers besides the filled ones
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


def seed_persons(team, users: dict[str, User]) -> None:
    reg = drafts.registry()
    inst = reg.latest(KARTLEGGING)
    lk = reg.latest(LIVSKVALITET)
    style = demo_style(now_utc().date())
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
            a.answers = filled_answers(inst, style, **extra)
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
