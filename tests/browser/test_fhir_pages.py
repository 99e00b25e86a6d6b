"""FHIR pages in the browser: the import page from the person page, its error list
and a successful import, and the admin's Questionnaire downloads; axe on each page."""
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kartlegging.extensions import db
from kartlegging.fhir.codes import DEFAULT_BASE
from kartlegging.models import Assessment

from .browser_support import api_login, check_page, login, logout

pytestmark = pytest.mark.browser


def test_import_a_questionnaire_response_and_download_questionnaires(live, context, page):
    person_id, _ = live.draft(name="Ingrid Import")
    inst = live.instrument()
    api_login(context, live, "kari")
    page.goto(live(f"/personer/{person_id}"))
    page.get_by_role("link", name=re.compile("Importer svar fra et annet system")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Importer svar fra et annet system")
    check_page(page, "70-fhir-import")

    # An answer that is not an option: named, nothing stored, the pasted text kept.
    qr = {"resourceType": "QuestionnaireResponse", "status": "completed",
          "questionnaire": f"{DEFAULT_BASE}/Questionnaire/{inst.key}|{inst.version}",
          "item": [{"linkId": "familie", "item": [
              {"linkId": "har_barn", "answer": [{"valueBoolean": True}]},
              {"linkId": "sivilstand", "answer": [{"valueCoding": {"code": "ukjent"}}]}]}]}
    page.get_by_label("… eller lim inn JSON").fill(json.dumps(qr, ensure_ascii=False))
    page.get_by_role("button", name="Importer som utkast").click()
    expect(page.get_by_role("alert")).to_contain_text("«ukjent» er ikke et svaralternativ")
    expect(page.get_by_label("… eller lim inn JSON")).to_have_value(re.compile("ukjent"))
    check_page(page, "71-fhir-import-feil")

    qr["item"][0]["item"][1]["answer"][0]["valueCoding"]["code"] = "gift"
    page.get_by_label("… eller lim inn JSON").fill(json.dumps(qr, ensure_ascii=False))
    page.get_by_role("button", name="Importer som utkast").click()
    expect(page.locator(".flash-success")).to_contain_text("importert som et nytt utkast")
    with live.db():
        draft = db.session.query(Assessment).filter_by(person_id=person_id).order_by(
            Assessment.id.desc()).first()
        assert draft.answers == {"har_barn": "ja", "sivilstand": "gift"}

    # The admin's list of Questionnaires, reached from the menu.
    logout(page, live)
    login(page, live, "ada")
    page.get_by_role("link", name="Skjemaer (FHIR)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("FHIR Questionnaire")
    check_page(page, "72-fhir-skjemaer")
    with page.expect_download() as info:
        page.get_by_role("link", name=f"{inst.ref}.questionnaire.json").click()
    q = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert q["resourceType"] == "Questionnaire" and q["version"] == str(inst.version)
