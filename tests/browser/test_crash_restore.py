"""A crash restore never destroys saved text (issue «Trust at the seams», finding 1).

The browser writes its storage to disk lazily, so after the whole browser is killed the
encrypted copy of unsaved answers found on the next start can be older than what the server
acknowledged. The server decides per field: an earlier state of the saved text is already
there; any other copy is shown beside the saved answer and the user chooses; it is never saved
over the newer answer by itself."""
import contextlib
import json
import os
import signal
import time

import pytest
from playwright.sync_api import expect

from .browser_support import (
    PASSWORD,
    TABLET,
    api_login,
    assert_accessible,
    check_page,
    expect_saved,
    login,
    open_section,
    wait_for_db,
)
from .conftest import CHROMIUM, CHROMIUM_ARGS, PageWatch
from .test_lost_tab import crash

pytestmark = pytest.mark.browser

TEXT = ("Å få bo i leiligheten på Furuset, ha kontakt med søsteren Eva hver uke og komme "
        "tilbake i jobb på verkstedet etter sommeren")


def _profile_processes(profile) -> list[int]:
    """Every Chromium process of this profile (browser, renderers, helpers)."""
    mark = f"--user-data-dir={profile}".encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if mark in f.read():
                    pids.append(int(entry))
        except OSError:
            continue
    return pids


def kill_browser(profile) -> None:
    """SIGKILL to the whole browser, as a dead battery or the tablet's OS would: the process
    group of the browser process, then any process of the profile still left."""
    pids = _profile_processes(profile)
    assert pids, "fant ingen Chromium-prosess for profilen"
    groups = {os.getpgid(p) for p in pids if _alive(p)}
    for group in groups - {os.getpgrp()}:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
    for pid in _profile_processes(profile):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _profile_processes(profile) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _profile_processes(profile)


def _alive(pid) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def persistent(browser, profile, watch):
    """A browser with a profile on disk, like the tablet's (launched by the package's
    Playwright driver: a second sync Playwright in one thread is refused)."""
    ctx = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport=TABLET, locale="nb-NO", timezone_id="Europe/Oslo")
    ctx.set_default_timeout(10_000)
    ctx.on("page", watch.attach)
    for pg in ctx.pages:
        watch.attach(pg)
    return ctx


def test_browser_killed_after_typing_never_loses_or_shortens_the_saved_text(
        live, tmp_path, browser):
    _, aid = live.draft()
    profile = tmp_path / "profil"
    watch = PageWatch()
    ctx = persistent(browser, profile, watch)
    api_login(ctx, live, "kari")
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    open_section(page, live, aid, "viktig", autosave_ms=None)     # the real 300 ms
    page.wait_for_load_state("networkidle")
    page.locator("#hva_er_viktig").click()
    for ch in TEXT:                  # an ordinary pace: ~10 s for the whole answer
        page.keyboard.type(ch)
        page.wait_for_timeout(70)
    wait_for_db(live, aid, lambda a: a.get("hva_er_viktig") == TEXT)
    assert live.answers(aid)["hva_er_viktig"] == TEXT       # the server holds all of it
    page.wait_for_timeout(1000)
    kill_browser(profile)
    with contextlib.suppress(Exception):
        ctx.close()

    # The next start on the same tablet, the same profile; the session is gone.
    ctx = persistent(browser, profile, watch)
    try:
        ctx.clear_cookies()
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.goto(live("/logg-inn"))
        left = page.evaluate("() => Object.keys(localStorage)")
        login(page, live, "kari")
        asked = []
        page.on("request", lambda r: asked.append(r.post_data_json)
                if r.url.endswith(f"/kartlegginger/{aid}/gjenopprett") else None)
        page.goto(live(f"/kartlegginger/{aid}/del/viktig"))
        expect(page.locator("#section-form")).to_be_visible()
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1500)               # room for a wrong restore to save itself
        # The browser had flushed a copy to disk before the kill ...
        assert left == [f"kl.ulagret.{live.users['kari']}.{aid}.viktig"], left
        assert asked, "the copy was never offered to the server"
        fields = json.loads(asked[0]["fields"])
        older = fields["hva_er_viktig"]["value"]
        # ... an earlier state of the text: the server holds all of it, so it is already there
        # (nothing to ask, nothing to save), and the saved text is untouched.
        assert len(older) < len(TEXT) and TEXT.startswith(older), older
        expect(page.locator("#valg-hva_er_viktig")).to_have_count(0)
        page.wait_for_function("() => Object.keys(localStorage).length === 0")
        expect(page.locator("#hva_er_viktig")).to_have_value(TEXT)
        page.wait_for_timeout(500)
        assert live.answers(aid)["hva_er_viktig"] == TEXT
    finally:
        ctx.close()
    assert not watch.problems, watch.problems


def test_both_changed_the_user_sees_both_and_chooses(live, context, page):
    """Typed offline on this tablet; meanwhile a colleague saved the same answer elsewhere.
    After the crash and the next login both texts are shown; nothing is saved until the user
    chooses, and the choice is saved with the current version."""
    _, aid = live.draft(answers={"hva_er_viktig": "Bo hjemme"})
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig", autosave_ms=None)
    page.wait_for_load_state("networkidle")            # the device key is fetched online
    context.set_offline(True)
    field = page.locator("#hva_er_viktig")
    field.press("End")
    field.press_sequentially(" og få hjelp med økonomien", delay=30)
    page.locator("#spraak").fill("Norsk")               # changed here only: applied
    page.wait_for_function("() => Object.keys(localStorage).length === 1")
    page.wait_for_timeout(300)                          # the copy's last write is done
    crash(context, page)
    context.set_offline(False)
    # Per, on his own PC, saves the answer meanwhile.
    per = live.app.test_client()
    token = per.get("/logg-inn/token").get_json()["csrf_token"]
    per.post("/logg-inn", json={"username": "per", "password": PASSWORD},
             headers={"X-CSRFToken": token, "Accept": "application/json"})
    version = live.assessment(aid)["version"]
    r = per.post(f"/kartlegginger/{aid}/autolagre", headers={"X-CSRFToken": token},
                 json={"version": version, "section": "viktig",
                       "answers": {"hva_er_viktig": "Bo hjemme, ifølge Per"}})
    assert r.status_code == 200, r.get_json()

    context.clear_cookies()
    page = context.new_page()
    login(page, live, "kari")
    page.goto(live(f"/kartlegginger/{aid}/del/viktig"))
    choice = page.locator("#valg-hva_er_viktig")
    expect(choice).to_be_visible()
    expect(choice).to_have_attribute("role", "group")
    sides = choice.locator(".side")
    expect(sides.nth(0)).to_contain_text("Lagret")
    expect(sides.nth(0)).to_contain_text("Bo hjemme, ifølge Per")
    expect(sides.nth(1)).to_contain_text("Kopien på nettbrettet")
    expect(sides.nth(1)).to_contain_text("Bo hjemme og få hjelp med økonomien")
    expect(page.locator("#aside-note")).to_contain_text("Velg ved spørsmålet")
    assert_accessible(page)
    check_page(page, "70-gjenoppretting-velg", axe=False)
    # The field changed only here is saved by itself; the one both changed waits.
    answers = wait_for_db(live, aid, lambda a: a.get("spraak") == "Norsk")
    assert answers["hva_er_viktig"] == "Bo hjemme, ifølge Per"
    expect(field_of(page)).to_have_value("Bo hjemme, ifølge Per")
    choice.get_by_role("button", name="Bruk kopien fra nettbrettet").click()
    expect(choice).to_have_count(0)
    expect_saved(page)
    answers = wait_for_db(
        live, aid, lambda a: a.get("hva_er_viktig") == "Bo hjemme og få hjelp med økonomien")
    assert answers == {"hva_er_viktig": "Bo hjemme og få hjelp med økonomien", "spraak": "Norsk"}
    page.wait_for_function("() => Object.keys(localStorage).length === 0")


def test_undecided_choice_survives_a_second_crash(live, context, page):
    """Until the user chooses, the copy keeps the text: a second crash asks again."""
    _, aid = live.draft(answers={"hva_er_viktig": "Bo hjemme"})
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig", autosave_ms=None)
    page.wait_for_load_state("networkidle")
    context.set_offline(True)
    page.locator("#hva_er_viktig").fill("Kopien sin tekst")
    page.wait_for_function("() => Object.keys(localStorage).length === 1")
    page.wait_for_timeout(300)
    crash(context, page)
    context.set_offline(False)
    with live.db() as s:
        from kartlegging.models import Assessment
        a = s.get(Assessment, aid)
        a.answers = {"hva_er_viktig": "Annen enhet sin tekst"}
        a.version += 1
        s.commit()
    for _ in range(2):
        page = context.new_page()
        page.goto(live(f"/kartlegginger/{aid}/del/viktig"))
        expect(page.locator("#valg-hva_er_viktig")).to_be_visible()
        expect(page.locator("#valg-hva_er_viktig")).to_contain_text("Kopien sin tekst")
        page.wait_for_timeout(300)
        crash(context, page)
    assert live.answers(aid) == {"hva_er_viktig": "Annen enhet sin tekst"}


def field_of(page):
    return page.locator("#hva_er_viktig")
