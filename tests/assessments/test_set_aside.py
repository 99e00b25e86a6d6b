"""Answers set aside in the draft: saved, restored, never shown, counted, printed; gone at signing."""
import io
import re

from pypdf import PdfReader

from conftest import PASSWORD
from kartlegging.assessments import drafts
from kartlegging.domain.rules import evaluate
from kartlegging.extensions import db
from kartlegging.models import Assessment


def fresh(a_id) -> Assessment:
    db.session.expire_all()
    return db.session.get(Assessment, a_id)


def autosave(client, a, section, answers):
    return client.post(f"/kartlegginger/{a.id}/autolagre",
                       json={"version": fresh(a.id).version, "section": section,
                             "answers": answers})


def test_nei_then_ja_restores_the_section_over_autosave(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    r = autosave(client, a, "familie", {"har_barn": "ja", "barn_antall_mindreaarige": "2",
                                        "barn_samvaer": "fast"})
    assert r.status_code == 200 and r.json["moved_aside"] == 0
    # One tap on «Nei»: nothing is lost, the page is told how many answers went aside.
    r = autosave(client, a, "familie", {"har_barn": "nei", "barn_antall_mindreaarige": "2",
                                        "barn_samvaer": "fast"})
    assert r.json["moved_aside"] == 2
    assert r.json["aside_message"].startswith("2 svar gjelder ikke")
    assert r.json["progress"]["familie"] == [1, 6]
    a = fresh(a.id)
    assert a.answers == {"har_barn": "nei"}
    assert a.set_aside == {"barn_antall_mindreaarige": 2, "barn_samvaer": "fast"}
    # The page was reloaded meanwhile, so the hidden fields come back empty: «Ja» restores.
    r = autosave(client, a, "familie", {"har_barn": "ja", "barn_antall_mindreaarige": "",
                                        "barn_samvaer": ""})
    assert r.json["restored"] == {"barn_antall_mindreaarige": 2, "barn_samvaer": "fast"}
    a = fresh(a.id)
    assert a.answers == {"har_barn": "ja", "barn_antall_mindreaarige": 2,
                         "barn_samvaer": "fast"}
    assert not a.set_aside


def test_plain_post_says_how_many_answers_went_aside(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False,)
    a.answers = {"gjeld": "ja", "gjeld_belop": 40000}
    db.session.commit()
    r = client.post(f"/kartlegginger/{a.id}/del/okonomi",
                    data={"version": fresh(a.id).version, "gjeld": "nei", "gjeld_belop": "40000",
                          "lagre": "1"}, follow_redirects=True)
    assert "1 svar gjelder ikke ut fra svaret du ga, og er lagt til side" in r.data.decode()
    assert fresh(a.id).set_aside == {"gjeld_belop": 40000}


def test_set_aside_answers_never_reach_pages_counts_prompts_or_the_pdf(staff, factory):
    client, user = staff
    person = factory.person(name="Kari Nordmann", contact=user)
    a = factory.assessment(person, user, fastlege_har="ja", fastlege_navn="Dr. Hemmelig",
                           oppfolgingstjenester=["nav", "tsb"], langvarig_behov="ja",
                           ip_var_vurdering="nei", ip_begrunnelse="Ikke nå.")
    factory.rating(a, user)
    # «Nei» to the fastlege question: the doctor's name is set aside.
    sec = client.get(f"/kartlegginger/{a.id}/del/samarbeid")
    assert "Dr. Hemmelig" in sec.data.decode()
    # As the page sends it: every field of the section (the hidden one empty after a reload).
    section = {k: v for k, v in a.answers.items() if k.startswith(
        ("fastlege", "tannhelse", "oppfolgingstjenester", "behandling", "fengsel", "barnevern"))}
    r = autosave(client, a, "samarbeid", {**section, "fastlege_har": "nei", "fastlege_navn": ""})
    assert r.status_code == 200, r.json
    assert r.json["moved_aside"] == 1
    # The live state covers the section shown (the IP prompt is placed in «vurdering»): the
    # rules over the stored answers never see the name set aside.
    stored = fresh(a.id)
    reasons = evaluate(drafts.instrument_of(stored), stored.answers).derived["ip"].reasons
    assert not any("fastlege" in reason for reason in reasons
                   if "tjenester er involvert" in reason)
    a = fresh(a.id)
    assert a.set_aside == {"fastlege_navn": "Dr. Hemmelig"}
    for url in (f"/kartlegginger/{a.id}", f"/kartlegginger/{a.id}/del/samarbeid",
                f"/personer/{person.id}"):
        page = client.get(url).data.decode()
        assert "Dr. Hemmelig" not in page, url
    # Signing drops what was aside; the PDF never had it.
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 302, r.data.decode()[:1500]
    a = fresh(a.id)
    assert a.is_signed and a.set_aside is None
    reader = PdfReader(io.BytesIO(a.signed_pdf))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "Kari Nordmann" in text and "Hemmelig" not in text


def test_section_page_counts_visible_sections_and_marks_missing_required(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    page = client.get(f"/kartlegginger/{a.id}/del/bolig").data.decode()
    # numbered over all sections; «Innvandrer/flyktning» does not apply (yet), and says so
    assert "Del 4 av 12" in page
    assert "1 del gjelder ikke ut fra svarene og hoppes over" in page
    bolig = re.search(r'<li data-section="bolig".*?</li>', page, re.S).group(0)
    assert re.search(r'<span class="missing-mark">1<span class="sr-only"> obligatoriske',
                     bolig)
    assert re.search(r'<li data-section="innvandrer" hidden>', page)
    autosave(client, a, "familie", {"innvandrer_relevant": "ja"})
    page = client.get(f"/kartlegginger/{a.id}/del/bolig").data.decode()
    assert "Del 4 av 12" in page and "hoppes over" not in page


def test_resume_goes_to_the_last_section_saved(staff, factory):
    client, user = staff
    person = factory.person()
    a = factory.assessment(person, user, filled=False)
    overview = client.get(f"/kartlegginger/{a.id}").data.decode()
    assert f'href="/kartlegginger/{a.id}/del/viktig">Fortsett utfyllingen' in overview
    autosave(client, a, "okonomi", {"gjeld": "nei"})
    overview = client.get(f"/kartlegginger/{a.id}").data.decode()
    assert f'href="/kartlegginger/{a.id}/del/okonomi">Fortsett utfyllingen' in overview
    page = client.get(f"/personer/{person.id}").data.decode()
    assert re.search(rf'href="/kartlegginger/{a.id}/del/okonomi">Fortsett utkastet fra', page)


def test_overview_lists_a_missing_parorende_consent(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    assert "parorende-mangler" not in client.get(f"/kartlegginger/{a.id}").data.decode()
    autosave(client, a, "familie", {"parorende_har": "ja", "parorende": "Mor, Anne"})
    page = client.get(f"/kartlegginger/{a.id}").data.decode()
    assert 'id="parorende-mangler"' in page
    assert "ingen samtykke i kraft dekker opplysninger fra eller til pårørende" in page


def test_vurdering_shows_index_and_koordinator_reminder_before_the_buttons(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    a.answers = {"langvarig_behov": "ja", "koordinering_behov": "ja"}  # v3: right to koordinator
    db.session.commit()
    page = client.get(f"/kartlegginger/{a.id}/del/vurdering").data.decode()
    buttons = page.index('class="form-actions"')
    assert page.index('id="live-levekarsindeks"') < buttons
    assert page.index('id="koordinator-paaminnelse"') < buttons
    assert page.index('id="live-ip"') < buttons
