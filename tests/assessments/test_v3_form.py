"""The v3 form on the running app: the five prompt errors are gone and their reasons
are shown; prefill from the last signed kartlegging; pårørende notice beside its items; steps
over visible sections; the number's kind; one kontaktperson; the PDF's pårørende mark."""
import io
import re
from datetime import date, datetime, timedelta

from pypdf import PdfReader

from conftest import PASSWORD
from factories import fnr
from kartlegging.clock import to_oslo
from kartlegging.extensions import db
from kartlegging.models import Assessment, Consent


def page(client, a, section):
    r = client.get(f"/kartlegginger/{a.id}/del/{section}")
    assert r.status_code == 200
    return r.data.decode()


def set_answers(a, **answers):
    a.answers = {**(a.answers or {}), **answers}
    db.session.commit()


def text(html):
    return re.sub(r"\s+", " ", html)


# ----------------------------------------------------------------- the five errors under "Why"

def test_one_service_long_term_is_not_a_coordination_need(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    set_answers(a, langvarig_behov="ja", koordinering_behov="nei", fastlege_har="ja",
                oppfolgingstjenester=["ingen"], har_ip="nei")
    html = text(page(client, a, "vurdering"))
    assert "Svarene tyder ikke på behov for individuell plan nå" in html
    assert "bare én tjeneste er involvert, og det er ikke meldt behov for samordning" in html
    assert "gir alene sjelden behov for samordning" in html
    assert "Vurder individuell plan" not in html


def test_unmet_needs_count_as_coordination(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    set_answers(a, langvarig_behov="ja", koordinering_behov="ja", fastlege_har="nei",
                oppfolgingstjenester=["ingen"], har_ip="nei")
    assert "Vilkårene for individuell plan ser ut til å være oppfylt" in page(client, a,
                                                                              "vurdering")


def test_existing_ip_is_not_proposed_again_and_is_prefilled(staff, factory):
    client, user = staff
    person = factory.person()
    old = factory.assessment(person, user, har_ip="ja", har_ip_dato="2025-03-01")
    old.status, old.signed_at, old.signed_by_id = "signed", datetime(2026, 1, 5, 9), user.id
    db.session.commit()
    r = client.post(f"/personer/{person.id}/kartlegginger")
    new = db.session.get(Assessment, int(r.headers["Location"].split("/")[2]))
    assert new.answers == {"har_ip": "ja", "har_ip_dato": "2025-03-01"}
    html = text(page(client, new, "vurdering"))
    assert "Personen har individuell plan (fra 01.03.2025). Vurder om planen er oppdatert." in html
    assert "personen har allerede individuell plan: det foreslås ikke en ny" in html
    assert html.count(f"Hentet fra siste signerte kartlegging ({old.document_id}") == 2
    # The person page's history names the date too, not a template.
    assert "(fra 01.03.2025)" in client.get(f"/personer/{person.id}").data.decode()
    # Changed answers are no longer shown as carried over.
    set_answers(new, har_ip="nei")
    assert "Hentet fra siste signerte" not in page(client, new, "vurdering")


def test_unanswered_is_named_not_read_as_none(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    html = text(page(client, a, "vurdering"))
    assert "hvilke andre tjenester som er involvert, er ikke besvart" in html
    assert "om personen har fastlege, er ikke besvart" in html
    assert "Ingen tjenester er registrert" not in html
    # Live updates on the page that shows the prompt carry the same reasons.
    r = client.post(f"/kartlegginger/{a.id}/autolagre", json={
        "version": a.version, "section": "samarbeid",
        "answers": {"fastlege_har": "nei", "oppfolgingstjenester": ["ingen"]}})
    assert "ip" not in r.get_json()["derived"]  # live state covers the section's own prompts
    r = client.post(f"/kartlegginger/{a.id}/autolagre", json={
        "version": r.get_json()["version"], "section": "vurdering", "answers": {}})
    reasons = r.get_json()["derived"]["ip"]["reasons"]
    assert "ingen tjenester er involvert" in reasons
    assert "hvilke andre tjenester som er involvert, er ikke besvart" not in reasons
    assert "om personen har fastlege, er ikke besvart" not in reasons


def test_koordinator_prompt_independent_of_ip_and_signing_check(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    set_answers(a, langvarig_behov="ja", koordinering_behov="ja", ip_var_vurdering="nei",
                oppfolgingstjenester=["nav"])
    html = text(page(client, a, "vurdering"))
    assert "Tilby koordinator, også om personen ikke ønsker individuell plan." in html
    assert ("Rettsgrunnlag: Pasient- og brukerrettighetsloven § 2-5 b, helse- og "
            "omsorgstjenesteloven § 7-2, sosialtjenesteloven § 28 (NAV er involvert)") in html
    sign = text(client.get(f"/kartlegginger/{a.id}/signer").data.decode())
    assert "Svarene tyder på rett til koordinator. Registrer om personen er tilbudt" in sign


def test_release_from_prison_triggers_kriseplan(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    released = date.today() - timedelta(days=20)
    set_answers(a, fengsel="ja", fengsel_losl_dato=released.isoformat())
    html = text(page(client, a, "overganger"))
    assert "Personen er i en overgang: lag eller oppdater kriseplan." in html
    assert f"løslatt fra fengsel {released:%d.%m.%Y}, de siste 8 ukene" in html


def test_signed_record_keeps_its_kriseplan_prompt_after_eight_weeks(staff, factory):
    """Date rules count from the signing day, so a signed record never changes."""
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    set_answers(a, fengsel="ja", fengsel_losl_dato="2025-01-10")
    a.status, a.signed_at, a.signed_by_id = "signed", datetime(2025, 1, 20, 12), user.id
    db.session.commit()
    html = text(page(client, a, "overganger"))
    assert "løslatt fra fengsel 10.01.2025, de siste 8 ukene" in html


# ----------------------------------------------------------------- smaller things (item 8)

def test_parorende_notice_only_with_visible_parorende_items_beside_them(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    html = page(client, a, "familie")
    block = re.search(r'<div class="notice-block"[^>]*>', html).group(0)
    assert " hidden" in block and 'data-follows="parorende"' in block   # hidden with the item
    assert html.index("parorende-varsel") < html.index('data-item="parorende"')
    assert html.index('data-item="parorende_har"') < html.index("parorende-varsel")
    set_answers(a, parorende_har="ja")
    block = re.search(r'<div class="notice-block"[^>]*>', page(client, a, "familie"))
    assert " hidden" not in block.group(0)
    assert "parorende-varsel" not in page(client, a, "bolig")


def test_steps_count_all_sections_and_say_which_are_skipped(staff, factory, app):
    client, user = staff
    inst = app.extensions["instruments"].get("alna-kartlegging", 3)
    a = factory.assessment(factory.person(), user, filled=False)
    n = len(inst.sections)
    # numbered over all sections, stable: innvandrer not shown is said, not renumbered
    assert (f'Del 4 av {n}</span><span id="del-hoppet"> · 1 del gjelder ikke ut fra '
            "svarene og hoppes over</span>") in page(client, a, "bolig")
    set_answers(a, innvandrer_relevant="ja")
    assert f'Del 4 av {n}</span><span id="del-hoppet"></span>' in page(client, a, "bolig")
    set_answers(a, innvandrer_relevant="nei")
    assert "Del " not in re.sub(r"Delen|Deler", "", page(client, a, "innvandrer")).split(
        '<h1>')[1].split("</h1>")[0]


def test_number_is_labelled_by_kind(staff, factory):
    client, user = staff
    cases = [(fnr(1, 2, 80), "Fødselsnummer"), (fnr(41, 2, 80), "D-nummer"),
             (fnr(1, 42, 80), "H-nummer"), (fnr(1, 82, 80), "Fødselsnummer (testnummer)")]
    for number, label in cases:
        person = factory.person(national_id=number)
        html = client.get(f"/personer/{person.id}").data.decode()
        assert f"{label} {number[:6]} {number[6:]}" in html, label


def test_two_kontaktpersoner_are_refused_with_a_message(staff, factory):
    client, user = staff
    person = factory.person(contact=user)
    other = factory.user("ansatt")
    r = client.post(f"/personer/{person.id}/kontaktperson",
                    data={"kontaktperson": [str(other.id), str(user.id)]})
    assert r.status_code == 422
    assert "Velg én fast kontaktperson, ikke flere." in r.data.decode()
    r = client.post("/personer/ny", data={"name": "To Kontakter", "national_id": fnr(5, 5, 85),
                                          "kontaktperson": [str(other.id), str(user.id)]})
    assert r.status_code == 422 and "Velg én fast kontaktperson" in r.data.decode()
    assert "To Kontakter" in r.data.decode()


def _signed_pdf_text(client, factory, user, with_consent):
    person = factory.person(contact=user)
    if with_consent:
        db.session.add(Consent(person_id=person.id, categories=["helse"], party_kind="parorende",
                               party_name="Per", party_relation="bror", direction="fra",
                               valid_from=date(2020, 1, 1), given_how="skriftlig",
                               recorded_by_id=user.id))
        db.session.commit()
    a = factory.assessment(person, user, har_ip="nei", langvarig_behov="ja",
                           koordinering_behov="ja", ip_var_vurdering="ja", ip_tilbudt="ja",
                           ip_svar="takket_ja", parorende_har="ja")
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 302, r.data.decode()[:3000]
    db.session.expire_all()
    raw = db.session.get(Assessment, a.id).signed_pdf
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(raw)).pages))


def test_pdf_marks_parorende_answers_signed_without_consent(staff, factory):
    client, user = staff
    mark = "Merk: registrert uten at samtykke for opplysninger fra eller til pårørende"
    without = _signed_pdf_text(client, factory, user, with_consent=False)
    assert without.count(mark) == 2     # both pårørende items
    assert mark not in _signed_pdf_text(client, factory, user, with_consent=True)


ROUTINE_NOTE = ("fastlege teller som involvert, men rutinetjenester som fastlege og tannhelse gir "
                "alene sjelden behov for samordning")


def test_routine_services_note_only_where_routine_services_decide(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    # fastlege and one other service: the routine service makes the two
    set_answers(a, langvarig_behov="ja", koordinering_behov="nei", fastlege_har="ja",
                oppfolgingstjenester=["nav"], har_ip="nei")
    assert ROUTINE_NOTE in text(page(client, a, "vurdering"))
    # three other services: the routine service decides nothing
    set_answers(a, oppfolgingstjenester=["nav", "tsb", "lar"])
    html = text(page(client, a, "vurdering"))
    assert "Vilkårene for individuell plan ser ut til å være oppfylt" in html
    assert "rutinetjenester" not in html.replace(
        "Fastlege og tannhelse teller som tjenester, men gir alene sjelden behov for "
        "samordning.", "")


def test_lilla_blalys_is_explained_beside_the_index(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    html = text(page(client, a, "vurdering"))
    assert ('<p class="help" id="blalys-hjelp">Lilla (blålys) er indeksens alvorligste nivå: '
            "rød på 7 eller 8 av 8 levekårsområder, et tegn på at oppfølgingen haster.</p>"
            in html)


def test_an_accepted_ip_is_carried_forward_not_a_stale_no(staff, factory):
    client, user = staff
    person = factory.person(contact=user)
    old = factory.signed(person, user, version=3, har_ip="nei", ip_var_vurdering="ja",
                         ip_tilbudt="ja", ip_tilbudt_dato="2026-01-05", ip_svar="takket_ja")
    r = client.post(f"/personer/{person.id}/kartlegginger")
    new = db.session.get(Assessment, int(r.headers["Location"].split("/")[2]))
    assert "har_ip" not in new.answers  # not the stale «Nei» of the day the plan was accepted
    day = to_oslo(old.signed_at).strftime("%d.%m.%Y")
    html = text(page(client, new, "vurdering"))
    assert (f'<p class="notice" id="live-ip-tidligere">Personen takket ja til individuell plan '
            f"ved forrige kartlegging ({old.document_id}, signert {day}). Er planen laget? Svar "
            "på «Har personen individuell plan i dag?» ut fra det.</p>") in html
    assert f"Hentet fra siste signerte kartlegging ({old.document_id}" not in html
