"""Helpers for the browser tests: page checks (axe, screenshots, layout), log-in, form filling."""
import re
import time
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

PASSWORD = "riktig-passord-42"          # the same as tests/conftest.py
TABLET = {"width": 768, "height": 1024}
LANDSCAPE = {"width": 1024, "height": 768}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SAVED = re.compile(r"^Lagret kl\. \d\d:\d\d$")
RETRYING = "Ikke lagret – prøver igjen"
BLOCKING = ("serious", "critical")

_axe = Axe()


def check_page(page: Page, name: str | None = None, *, axe: bool = True) -> None:
    """One main page: screenshot (if named), no horizontal scrolling, no serious axe findings."""
    page.wait_for_load_state("load")
    if name:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        vp = page.viewport_size
        page.screenshot(path=SCREENSHOTS / f"{vp['width']}x{vp['height']}-{name}.png",
                        full_page=True)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url}: siden kan rulles {overflow}px sidelengs"
    if axe:
        assert_accessible(page)


def assert_accessible(page: Page, context=None) -> None:
    result = _axe.run(page, context=context)
    bad = [v for v in result.response["violations"] if v.get("impact") in BLOCKING]
    for v in result.response["violations"]:   # shown with -s or when the test fails
        if v not in bad:
            print(f"axe (ikke blokkerende) {page.url}: {v['id']} ({v['impact']}) "
                  f"{[n['target'] for n in v['nodes'][:4]]}")
    assert not bad, format_violations(page.url, bad)


def format_violations(url: str, violations: list) -> str:
    lines = [f"axe fant {len(violations)} alvorlige brudd på {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:8]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … og {len(v['nodes']) - 8} til")
    return "\n".join(lines)


def login(page: Page, live, username: str, password: str = PASSWORD, *, check: bool = False):
    page.goto(live("/logg-inn"))
    if check:
        check_page(page, "01-logg-inn")
    page.get_by_label("Brukernavn", exact=True).fill(username)
    page.get_by_label("Passord", exact=True).fill(password)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    expect(page).to_have_url(live("/"))


def logout(page: Page, live):
    page.get_by_role("button", name="Logg ut").click()
    expect(page).to_have_url(live("/logg-inn"))


def section_url(live, assessment_id: int, section_id: str) -> str:
    return live(f"/kartlegginger/{assessment_id}/del/{section_id}")


def item_block(page: Page, item_id: str):
    return page.locator(f'.item[data-item="{item_id}"]')


def wait_settled(page: Page) -> None:
    """Until every answer is saved and no reply is on its way: a reply updates the prompts
    above the later questions (their reasons grow and shrink), and a tap while that moves the
    page can land beside its target, as a person's would. They look, then tap."""
    page.wait_for_function("() => !window.kartleggingForm"
                           " || (!window.kartleggingForm.dirty && !window.kartleggingForm.saving)")


def fill_item(page: Page, item, value) -> None:
    """Answer one instrument item through the UI, the way a user would for its type."""
    block = item_block(page, item.id)
    if item.type in ("text", "long_text"):
        block.locator(f"#{item.id}").fill(value)
    elif item.type in ("single_choice", "yes_no", "scale"):
        wait_settled(page)
        block.locator(f'input[name="{item.id}"][value="{value}"]').check()
    elif item.type == "multiple_choice":
        for v in value:
            wait_settled(page)
            block.locator(f'input[name="{item.id}"][value="{v}"]').check()
    elif item.type in ("date", "number"):
        block.locator(f"#{item.id}").fill(str(value))
    else:  # pragma: no cover - a new item type needs a way to be filled here
        raise AssertionError(f"ukjent spørsmålstype {item.type}")


def fill_comment(page: Page, item, text: str) -> None:
    block = item_block(page, item.id)
    details = block.locator("details.comment")
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    block.locator(f"#{item.comment_id}").fill(text)


def fill_section(page: Page, section, want: dict) -> None:
    """Fill every item of `section` that the page shows, with the values in `want`.

    `want` is what the server's rules say a complete answer set is (factories.filled_answers):
    an item is in it exactly when it is visible. Filling in file order, each item to fill must
    have become visible live (Playwright waits for it), and afterwards exactly those items
    are shown – so the page's show/hide agrees with the server's rules item by item.
    """
    for item in section.items:
        if item.id not in want:
            continue
        fill_item(page, item, want[item.id])
        if item.comment and item.comment_id in want:
            fill_comment(page, item, want[item.comment_id])
    shown = page.evaluate("""() => Object.fromEntries(Array.from(
        document.querySelectorAll('#section-form .item[data-item]'),
        b => [b.dataset.item, !b.hidden]))""")
    assert shown == {i.id: i.id in want for i in section.items}, section.id


def expect_saved(page: Page, timeout: float = 10_000) -> None:
    expect(page.locator("#save-status")).to_have_text(SAVED, timeout=timeout)


def api_login(context, live, username: str, password: str = PASSWORD) -> None:
    """Logs the context in without the log-in page (faster; the page itself is tested elsewhere).

    Goes through the same JSON log-in the re-login dialog uses, with a real CSRF token."""
    token = context.request.get(live("/logg-inn/token")).json()["csrf_token"]
    r = context.request.post(live("/logg-inn"), data={"username": username, "password": password},
                             headers={"Accept": "application/json", "X-CSRFToken": token})
    assert r.ok, r.text()


def open_section(page: Page, live, assessment_id: int, section_id: str, *,
                 autosave_ms: int | None = 200) -> None:
    """Opens a section; by default with a short autosave pause so the tests run quickly."""
    page.goto(section_url(live, assessment_id, section_id))
    expect(page.locator("#section-form")).to_be_visible()
    if autosave_ms is not None:
        page.evaluate("ms => { window.kartleggingForm.delay = ms; }", autosave_ms)


def wait_for_db(live, assessment_id, predicate, timeout=10.0):
    """Polls the database until predicate(answers) holds; returns the answers."""
    deadline = time.monotonic() + timeout
    while True:
        answers = live.answers(assessment_id)
        if predicate(answers) or time.monotonic() > deadline:
            return answers
        time.sleep(0.1)
