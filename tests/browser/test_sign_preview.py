"""Signing at 768×1024: «Signer» is the primary button once nothing blocks it, the sign page
shows the PDF that will be locked inside the page above the password, and after signing
«Lag rettelse» stands apart from the download. Every page passes axe."""
import pytest
from playwright.sync_api import expect

from factories import filled_answers

from .browser_support import PASSWORD, api_login, check_page
from .test_lead_tablet import no_axe_violations

pytestmark = pytest.mark.browser


def test_sign_with_the_pdf_in_the_page(live, context, page):
    _, aid = live.draft(name="Vera Visning", answers=filled_answers(live.instrument()))
    api_login(context, live, "kari")
    page.goto(live(f"/kartlegginger/{aid}"))
    primary = page.locator(".panel .actions .btn-primary").first
    expect(primary).to_have_text("Signer")
    expect(page.locator(".panel .actions .btn").nth(1)).to_have_text("Fortsett utfyllingen")
    check_page(page, "768-oversikt-klar")
    no_axe_violations(page)

    with page.expect_response(lambda r: r.url.endswith("/signer/forhandsvisning.pdf")) as info:
        primary.click()
    preview = info.value
    assert preview.status == 200 and preview.headers["content-type"] == "application/pdf"
    assert preview.headers["x-frame-options"] == "SAMEORIGIN"
    frame = page.locator("iframe.pdf-frame")
    expect(frame).to_be_visible()
    assert frame.bounding_box()["y"] < page.get_by_label("Ditt passord").bounding_box()["y"]
    assert frame.bounding_box()["height"] > 300
    check_page(page, "768-signer-med-pdf")
    no_axe_violations(page)

    page.get_by_label("Ditt passord").fill(PASSWORD)
    page.get_by_role("button", name="Signer og lås").click()
    expect(page.locator(".status-pill")).to_contain_text("Signert")
    download = page.get_by_role("link", name="Last ned signert PDF")
    correction = page.get_by_role("button", name="Lag rettelse")
    expect(correction).to_be_visible()
    # not side by side: the correction is its own section, below and apart
    assert not download.evaluate("(a) => a.parentElement.contains("
                                 "document.querySelector('.correction'))")
    gap = correction.bounding_box()["y"] - download.bounding_box()["y"]
    assert gap > 100, gap
    check_page(page, "768-signert")
    no_axe_violations(page)


def test_unfinished_draft_keeps_filling_in_as_the_primary_button(live, context, page):
    _, aid = live.draft()
    api_login(context, live, "kari")
    page.goto(live(f"/kartlegginger/{aid}"))
    expect(page.locator(".panel .actions .btn-primary").first).to_have_text(
        "Fortsett utfyllingen")
