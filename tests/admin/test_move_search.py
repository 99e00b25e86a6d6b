"""«Flytt person»: found by name as well as by number (many have no number), a clear word when
nothing matches, and with no other team the page says to create one first."""
from kartlegging.extensions import db
from kartlegging.models import AuditEvent, Person, Team


def test_found_by_name_number_or_not_at_all(factory, login):
    admin = factory.user("admin")
    worker = factory.user("ansatt")
    no_number = factory.person(name="Ulla Utennummer", contact=worker, national_id=None,
                               no_id_reason="Oppgir ikke nummer")
    numbered = factory.person(name="Nora Nummer", team=factory.team_b,
                              contact=factory.user("ansatt", team=factory.team_b))
    c = login(admin)
    html = c.get("/admin/personer?q=utennum").get_data(as_text=True)
    assert "Ulla Utennummer" in html and "uten nummer" in html
    assert f"/admin/personer/{no_number.id}/flytt" in html
    # words in any order, any case; persons of every team
    html = c.get("/admin/personer?q=NUMMER nora").get_data(as_text=True)
    assert f"/admin/personer/{numbered.id}/flytt" in html and "Rusteam Nordstrand" in html
    spaced = numbered.national_id[:6] + " " + numbered.national_id[6:]
    html = c.get(f"/admin/personer?q={spaced}").get_data(as_text=True)
    assert f"/admin/personer/{numbered.id}/flytt" in html
    assert "Ulla" not in html
    html = c.get("/admin/personer?q=Zacharias").get_data(as_text=True)
    assert 'id="ingen-treff"' in html
    assert "Fant ingen person med navn eller nummer «Zacharias»" in html
    html = c.get("/admin/personer?q=01018012345").get_data(as_text=True)
    assert "Fant ingen person med navn eller nummer «01018012345»" in html
    listed = db.session.query(AuditEvent).filter_by(action="person_listed",
                                                    person_id=no_number.id).count()
    assert listed == 1


def test_with_one_team_the_move_page_says_to_create_a_team_first(factory, login):
    admin = factory.user("admin")
    person = factory.person(contact=factory.user("ansatt"))
    for team in db.session.query(Team).filter(Team.id != person.team_id).all():
        db.session.delete(team)
    db.session.commit()
    c = login(admin)
    html = c.get(f"/admin/personer/{person.id}/flytt").get_data(as_text=True)
    assert 'id="bare-ett-team"' in html and "Opprett teamet først" in html
    assert "/admin/team" in html and "Flytt personen</button>" not in html
    r = c.post(f"/admin/personer/{person.id}/flytt", data={"team": "", "reason": "x"})
    assert r.status_code == 422 and "Opprett teamet først" in r.get_data(as_text=True)
    assert db.session.get(Person, person.id).team_id == person.team_id
