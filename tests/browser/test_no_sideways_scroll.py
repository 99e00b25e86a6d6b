"""Every page the demo roles can reach, at 768×1024: none scrolls sideways (the document's
scrollWidth ≤ innerWidth, and no box inside the page is wider than itself), and axe finds no
violation on any of them.

The demo team (`flask demo`: seven persons, real signed PDFs, drafts) is seeded into the test
app, and each demo user (ansatt, leder, admin) follows every link from the start page, each
kind of page (its path with the numbers taken out) at most twice. Downloads (PDF, CSV, ZIP,
FHIR JSON) and logging out are not pages and are not followed.
"""
import re
import threading
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from kartlegging.cli import DEMO_PASSWORD, DEMO_USERS, seed_demo

from .browser_support import TABLET, api_login, format_violations

pytestmark = pytest.mark.browser

SKIP = re.compile(r"/logg-ut|/pdf$|\.pdf$|\.csv|/arkiv|/fhir/|\.json$|/utskrift/|/enhetsnokkel"
                  r"|/egenvurdering|/static/|/favicon")
PER_KIND = 2
_axe = Axe()


def kind(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def overflow(page) -> list[str]:
    return page.evaluate("""() => {
        const out = [];
        const d = document.documentElement;
        if (d.scrollWidth > window.innerWidth) out.push(`siden: ${d.scrollWidth}px`);
        for (const e of document.querySelectorAll('main *')) {
            const s = getComputedStyle(e);
            if (['auto', 'scroll'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1)
                out.push(`${e.tagName.toLowerCase()}.${e.className}: ${e.scrollWidth}px`);
        }
        return out; }""")


def crawl(page, context, live, start: str = "/") -> tuple[list[str], dict, list[str]]:
    seen_kinds: dict[str, int] = {}
    visited, problems, violations = [], {}, []
    queue = deque([live(start)])
    queued = {live(start)}
    while queue:
        url = queue.popleft()
        k = kind(url)
        if seen_kinds.get(k, 0) >= PER_KIND:
            continue
        head = context.request.get(url, max_redirects=0)
        if head.status != 200 or "text/html" not in head.headers.get("content-type", ""):
            continue
        seen_kinds[k] = seen_kinds.get(k, 0) + 1
        page.goto(url)
        page.wait_for_load_state("load")
        visited.append(url)
        wide = overflow(page)
        if wide:
            problems[url] = wide
        found = [v for v in _axe.run(page).response["violations"]]
        if found:
            violations.append(format_violations(url, found))
        for href in page.eval_on_selector_all(
                "a[href]:not([download])", "els => els.map(a => a.href)"):
            href = urldefrag(href)[0]
            if not href.startswith(live.url) or SKIP.search(urlsplit(href).path) \
                    or href in queued:
                continue
            queued.add(href)
            queue.append(href)
    return visited, problems, violations


def seed_in_thread(live) -> None:
    """The demo signs real PDFs, and pyHanko runs its own asyncio loop: not in this thread,
    where Playwright's loop is running."""
    errors = []

    def run():
        try:
            with live.db():
                seed_demo()
        except Exception as e:  # reported in the test's thread
            errors.append(e)
    t = threading.Thread(target=run)
    t.start()
    t.join(120)
    assert not errors, errors


@pytest.mark.parametrize("username", [u for u, _, _ in DEMO_USERS])
def test_no_page_scrolls_sideways_at_768(live, new_context, username):
    seed_in_thread(live)
    context = new_context(viewport=TABLET)
    page = context.new_page()
    api_login(context, live, username, DEMO_PASSWORD)
    visited, problems, violations = crawl(page, context, live)
    assert len(visited) >= {"ansatt": 15, "leder": 20, "admin": 20}[username], visited
    assert not problems, "Sider som rulles sidelengs ved 768 px:\n" + "\n".join(
        f"{u}: {w}" for u, w in problems.items())
    assert not violations, "\n".join(violations)
