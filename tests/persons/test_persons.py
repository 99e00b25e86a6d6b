"""Registering and finding persons: fødselsnummer messages, no-number reason, duplicates, search."""
from factories import fnr
from kartlegging.models import AuditEvent, ContactAssignment, Person


def register(client, user, **data):
    base = {"name": "Test Testesen", "national_id": "", "kontaktperson": str(user.id)}
    base.update(data)
    return client.post("/personer/ny", data=base)


def test_register_with_fodselsnummer(staff):
    client, user = staff
    number = fnr(24, 12, 90)
    r = register(client, user, national_id=f"{number[:6]} {number[6:]}")
    assert r.status_code == 302
    p = Person.query.one()
    assert p.national_id == number and p.birth_date.isoformat() == "1990-12-24"
    assert ContactAssignment.query.one().user_id == user.id
    assert AuditEvent.query.filter_by(action="person_create", person_id=p.id).count() == 1


def test_register_with_d_nummer(staff):
    client, user = staff
    d_number = fnr(41, 5, 80)  # day + 40: D-nummer
    r = register(client, user, national_id=d_number)
    assert r.status_code == 302
    assert Person.query.one().birth_date.isoformat() == "1980-05-01"


def test_bad_number_gets_clear_norwegian_message_and_keeps_input(staff):
    client, user = staff
    good = fnr(3, 3, 83)
    typo = good[:10] + str((int(good[10]) + 1) % 10)
    r = register(client, user, name="Åse Ærlig Øvrebø", national_id=typo)
    assert r.status_code == 422
    html = r.data.decode()
    assert "Kontrollsifrene stemmer ikke" in html
    assert "Åse Ærlig Øvrebø" in html and typo in html
    assert Person.query.count() == 0
    r = register(client, user, national_id="123")
    assert "11 siffer" in r.data.decode()


def _fh_number(running: int) -> str:
    """An FH-nummer (first digit 8): the running number and the fødselsnummer's control digits."""
    for n in range(running, running + 50):
        body = [int(c) for c in f"8{n:08d}"]
        k1 = (11 - sum(w * d for w, d in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), body)) % 11) % 11
        k2 = (11 - sum(w * d for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), body + [k1]))
              % 11) % 11
        if k1 < 10 and k2 < 10:
            return "".join(map(str, body)) + f"{k1}{k2}"
    raise AssertionError("no FH-nummer near the running number")


def test_register_with_fh_nummer(staff):
    client, user = staff
    number = _fh_number(12345)
    r = register(client, user, national_id=f"{number[:6]} {number[6:]}")
    assert r.status_code == 302, r.data.decode()[:2000]
    p = Person.query.one()
    assert p.national_id == number and p.birth_date is None
    assert p.national_id_label == "FH-nummer"
    page = client.get(f"/personer/{p.id}").data.decode()
    assert "FH-nummer" in page


def test_fh_nummer_with_a_typo_is_refused_by_its_own_rule(staff):
    client, user = staff
    good = _fh_number(777)
    typo = good[:10] + str((int(good[10]) + 1) % 10)
    r = register(client, user, name="Navn Beholdes", national_id=typo)
    assert r.status_code == 422
    html = r.data.decode()
    assert "Kontrollsifrene stemmer ikke for et FH-nummer" in html
    assert "Navn Beholdes" in html and typo in html
    assert Person.query.count() == 0


def test_no_number_needs_reason(staff):
    client, user = staff
    r = register(client, user, no_number="y")
    assert r.status_code == 422
    assert "Skriv hvorfor personen er registrert uten nummer." in r.data.decode()
    r = register(client, user, no_number="y", no_id_reason="Vil ikke oppgi nummer ennå.")
    assert r.status_code == 302
    assert Person.query.one().national_id is None


def test_number_or_no_number_required(staff):
    client, user = staff
    r = register(client, user)
    assert r.status_code == 422
    assert "Skriv fødselsnummer eller D-nummer" in r.data.decode()


def test_no_duplicates_even_across_teams(app, staff, factory, login):
    client, user = staff
    number = fnr(5, 6, 77)
    assert register(client, user, national_id=number).status_code == 302
    r = register(client, user, name="Dobbel", national_id=number)
    assert r.status_code == 422 and "kan ikke registreres på nytt" in r.data.decode()
    outsider = factory.user("ansatt", team=factory.team_b)
    r = register(login(outsider), outsider, national_id=number)
    assert r.status_code == 422
    assert Person.query.count() == 1


def test_search_by_name_and_number(staff, factory):
    client, user = staff
    a = factory.person(name="Kari Nordmann", national_id=fnr(1, 2, 80))
    factory.person(name="Per Hansen", national_id=fnr(2, 3, 81))
    factory.person(name="Kari Utenfor", team=factory.team_b, national_id=fnr(3, 4, 82))
    html = client.get("/?q=kari").data.decode()
    assert "Kari Nordmann" in html and "Per Hansen" not in html and "Kari Utenfor" not in html
    html = client.get(f"/?q={a.national_id[:6]}").data.decode()
    assert "Kari Nordmann" in html and "Per Hansen" not in html
    assert "Ingen personer passer søket" in client.get("/?q=zzz").data.decode()


def test_person_page_is_team_isolated(app, factory, login):
    person = factory.person()
    outsider = login(factory.user("ansatt", team=factory.team_b))
    assert outsider.get(f"/personer/{person.id}").status_code == 404
    assert outsider.post(f"/personer/{person.id}/kartlegginger").status_code == 404
    assert outsider.get("/personer/99999").status_code == 404


def _message(html: str) -> str:
    """The national_id field's error text, without the typed values around it."""
    import re
    return re.search(r'id="national_id-feil"[^>]*>(.*?)</', html, re.S).group(1)


def test_number_held_by_another_team_is_no_oracle(app, staff, factory, login):
    """Another team's number gets the same answer as one's own team's: no hint of who
    receives services elsewhere, and the attempt is audited on the person who holds it."""
    client, user = staff
    own = factory.person(national_id=fnr(7, 7, 71))
    theirs = factory.person(team=factory.team_b, national_id=fnr(8, 8, 72))
    r_own = register(client, user, national_id=own.national_id)
    r_theirs = register(client, user, national_id=theirs.national_id)
    assert r_own.status_code == r_theirs.status_code == 422
    html = r_theirs.get_data(as_text=True)
    assert "allerede registrert" not in html and "kontakt administrator" in html
    assert _message(html) == _message(r_own.get_data(as_text=True))
    assert theirs.national_id in html  # what was typed is kept
    event = AuditEvent.query.filter_by(action="person_duplicate",
                                       person_id=theirs.id).one()
    assert event.user_id == user.id
    assert AuditEvent.query.filter_by(action="person_duplicate", person_id=own.id).count() == 1
    assert Person.query.count() == 2


def test_repeated_duplicate_numbers_are_throttled(app, staff, factory):
    client, user = staff
    held = [factory.person(team=factory.team_b, national_id=fnr(1 + i, 9, 60)) for i in range(7)]
    codes = [register(client, user, national_id=p.national_id).status_code for p in held]
    assert codes == [422] * 5 + [429] * 2
    r = register(client, user, national_id=fnr(20, 9, 60))  # a new number: refused too
    assert r.status_code == 429 and "Vent en time" in r.get_data(as_text=True)
    assert AuditEvent.query.filter_by(action="person_duplicate").count() == 5
    assert AuditEvent.query.filter_by(action="person_duplicate_throttled").count() == 3
    # Registering without a number still works.
    assert register(client, user, no_number="y", no_id_reason="Ukjent").status_code == 302


def test_every_person_shown_in_the_list_and_the_hits_is_audited(staff, factory):
    client, user = staff
    a = factory.person(name="Kari Nordmann", national_id=fnr(1, 2, 80), contact=user)
    b = factory.person(name="Per Hansen", national_id=fnr(2, 3, 81), contact=user)
    factory.person(name="Kari Annen", national_id=fnr(5, 6, 83))  # another kontaktperson
    factory.person(name="Kari Utenfor", team=factory.team_b, national_id=fnr(3, 4, 82))
    client.get("/")  # Mine personer: the persons this user is kontaktperson for
    listed = AuditEvent.query.filter_by(action="person_listed").all()
    assert sorted(e.person_id for e in listed) == sorted([a.id, b.id])
    assert {e.user_id for e in listed} == {user.id}
    client.get("/?q=kari")
    hits = AuditEvent.query.filter_by(action="person_listed", detail="søketreff").all()
    assert sorted(e.person_id for e in hits) == sorted([a.id, a.id + 2])


def test_flash_messages_put_no_name_in_the_session_cookie(app, staff):
    """Flask's session cookie is signed, not encrypted: anyone holding it can read it."""
    import base64
    import zlib
    client, user = staff
    r = register(client, user, name="Hemmelig Navnesen", national_id=fnr(9, 9, 79))
    assert r.status_code == 302
    cookie = client.get_cookie("session").value
    payload = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    text = (zlib.decompress(raw) if cookie.startswith(".") else raw).decode()
    assert "Hemmelig" not in text and "registrert" in text
