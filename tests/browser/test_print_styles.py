"""Printing a page (person page, Oppfølging, IP-tall, trends) gives the content only: no
menus, buttons, filters or forms, nothing wider than the paper."""
import pytest
from playwright.sync_api import expect

from .browser_support import TABLET, login
from .test_lead import seed

pytestmark = pytest.mark.browser

SCREEN_ONLY = ".topbar, .btn, button, .filters, .print-box, .pager, main form:not(#utskrift)"


def printed(page):
    page.emulate_media(media="print")
    shown = page.evaluate("""(sel) => Array.from(document.querySelectorAll(sel))
        .filter(e => e.getClientRects().length > 0)
        .map(e => e.outerHTML.slice(0, 80))""", SCREEN_ONLY)
    assert shown == [], f"{page.url}: vises på utskrift: {shown}"
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{page.url}: {wide}px for bredt på utskrift"
    page.emulate_media(media="screen")


def test_print_styles(live, new_context):
    data = seed(live)
    page = new_context(viewport=TABLET).new_page()
    login(page, live, "tone")
    pid = data["ids"]["Oline Overdue"][0]
    for path, must in ((f"/personer/{pid}", "Oline Overdue"), ("/oppfolging", "Oline Overdue"),
                       ("/oppfolging/tall", "Hele teamet"), ("/oppfolging/trender", "Anonymiserte trender")):
        page.goto(live(path))
        printed(page)
        page.emulate_media(media="print")
        expect(page.locator("main")).to_contain_text(must)
        page.emulate_media(media="screen")
    # on screen, the menus and buttons are there
    expect(page.locator(".topbar")).to_be_visible()
