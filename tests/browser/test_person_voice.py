"""The person's own voice on the tablet, in a real browser: the welcome, Arabic right to left
(axe finds nothing serious, the 1–7 scale runs from the right), «Les opp» speaking the question
with the browser's speech synthesis (a stubbed voice list) and saying so when there is no voice
for the language, and large text and 200 % zoom at 768×1024 with nothing cut off."""
import json
import re

from playwright.sync_api import expect

from kartlegging.domain.instrument_facts import LIVSKVALITET

from .browser_support import api_login, check_page, open_section

# Replaces the browser's speech synthesis before any page script runs: the voices the test
# names, and every utterance spoken kept in window.__spoken (nothing is played).
SPEECH_STUB = """
(() => {
  const voices = %s.map((lang) => ({lang, name: "Stemme " + lang, default: false,
                                      localService: true, voiceURI: "stub-" + lang}));
  window.__spoken = [];
  class Utterance { constructor(text) { this.text = text; this.lang = ""; this.voice = null; } }
  Object.defineProperty(window, "SpeechSynthesisUtterance", {value: Utterance});
  Object.defineProperty(window, "speechSynthesis", {value: {
    getVoices: () => voices,
    speak: (u) => window.__spoken.push({text: u.text, lang: u.lang,
                                        voice: u.voice && u.voice.lang}),
    cancel: () => {},
    addEventListener: () => {},
  }});
})();
"""


def _hand_over(page, live, aid):
    open_section(page, live, aid, "livskvalitet")
    page.get_by_role("button", name="Gi nettbrettet til personen").click()
    expect(page.get_by_role("heading", name="Hvordan har du det?")).to_be_visible()


def _questions(live):
    inst = live.instrument(LIVSKVALITET)
    return inst, [i for s in inst.sections for i in s.items]


def test_welcome_then_arabic_right_to_left_passes_axe(live, context, page):
    _, aid = live.draft()
    api_login(context, live, "kari")
    _hand_over(page, live, aid)
    check_page(page, "60-velkommen")
    page.get_by_role("button", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_text("Ikke kvalitetssikret oversettelse.")).to_be_visible()
    check_page(page, "61-velkommen-arabisk")
    page.get_by_role("link", name="ابدأ").click()
    inst, items = _questions(live)
    t = live.app.extensions["translations"].get(inst, "ar")
    expect(page.locator("legend h1")).to_have_text(t.label(items[0]))
    check_page(page, "62-sporsmal-arabisk")
    # Mirrored: 1 at the right-hand end, 7 at the left, as Arabic reads.
    one = page.locator(".lk-btn.lk-1").bounding_box()
    seven = page.locator(".lk-btn.lk-7").bounding_box()
    assert one["x"] > seven["x"] and abs(one["y"] - seven["y"]) < 1, (one, seven)
    page.locator(".lk-btn.lk-6").click()
    expect(page.locator(".progress-text")).to_have_text(t.text("question_of", n=2, total=16))
    # A sensitive question: its notice first, and «Vil ikke svare» in Arabic.
    page.goto(live("/egenvurdering?n=15"))
    expect(page.locator(".lk-notice")).to_have_text(t.sensitive_notice)
    check_page(page, "63-sensitivt-arabisk")
    page.get_by_role("button", name=t.decline).click()
    with live.db():
        from kartlegging.extensions import db
        from kartlegging.models import Assessment
        rating = db.session.query(Assessment).filter_by(parent_id=aid).one()
        assert rating.answers == {items[0].id: 6, items[14].id: "vil_ikke_svare"}
        assert rating.language == "ar"


def test_read_aloud_speaks_the_question_and_choices_in_the_language(live, new_context):
    _, aid = live.draft()
    context = new_context()
    context.add_init_script(SPEECH_STUB % json.dumps(["en-US", "nb-NO", "ar-SA"]))
    page = context.new_page()
    api_login(context, live, "kari")
    _hand_over(page, live, aid)
    page.get_by_role("link", name="Start").click()
    inst, items = _questions(live)
    page.get_by_role("button", name="Les opp").click()
    page.wait_for_function("() => window.__spoken.length > 0")
    spoken = page.evaluate("() => window.__spoken")
    texts = [s["text"] for s in spoken]
    assert texts[0] == items[0].label
    assert "1: Kunne ikke vært verre" in texts and "7: Kunne ikke vært bedre" in texts
    assert "Vil ikke svare" in texts
    assert {s["voice"] for s in spoken} == {"nb-NO"} and {s["lang"] for s in spoken} == {"nb-NO"}
    expect(page.locator(".lk-no-voice")).to_be_hidden()

    # English: spoken with the English voice.
    page.goto(live("/egenvurdering/velkommen"))
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the choice is saved
    page.goto(live("/egenvurdering?n=13"))
    page.evaluate("() => { window.__spoken = []; }")
    page.get_by_role("button", name="Read aloud").click()
    page.wait_for_function("() => window.__spoken.length > 0")
    spoken = page.evaluate("() => window.__spoken")
    assert spoken[0]["text"] == "Do you have a friend you are close to?"
    assert [s["text"] for s in spoken][-3:] == ["Yes", "No", "I do not want to answer"]
    assert {s["voice"] for s in spoken} == {"en-US"}


def test_read_aloud_says_so_when_the_tablet_has_no_voice(live, new_context):
    _, aid = live.draft()
    context = new_context()
    context.add_init_script(SPEECH_STUB % json.dumps(["en-US"]))   # no Norwegian voice
    page = context.new_page()
    api_login(context, live, "kari")
    _hand_over(page, live, aid)
    page.get_by_role("button", name="Les opp").click()
    message = page.locator(".lk-no-voice")
    expect(message).to_be_visible()
    expect(message).to_have_text("Nettbrettet har ingen stemme som kan lese opp på bokmål. "
                                 "Spør den som ga deg nettbrettet, om du vil ha hjelp.")
    expect(message).to_have_attribute("role", "status")
    assert page.evaluate("() => window.__spoken.length") == 0
    page.get_by_role("button", name="العربية").click()
    page.get_by_role("button", name="اقرأ بصوت عالٍ").click()
    expect(page.locator(".lk-no-voice")).to_contain_text("لا يوجد في هذا الجهاز صوت")


# Every element of the page inside the viewport horizontally, and every choice at least 64 px
# wide and high (CSS pixels), whatever the zoom or text size.
FITS = """
() => {
  const width = document.documentElement.clientWidth;
  const cut = [];
  for (const el of document.querySelectorAll("main *")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || el.closest(".sr-only")) continue;
    if (r.left < -0.5 || r.right > width + 0.5) cut.push(el.tagName + "." + el.className
        + " " + Math.round(r.left) + ".." + Math.round(r.right) + " > " + width);
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "hidden")
      cut.push("clipped " + el.tagName + "." + el.className);
  }
  const small = [...document.querySelectorAll(".lk-btn, .lk-choice, .lk-decline, .lk-nav button")]
    .map((b) => b.getBoundingClientRect())
    .filter((r) => r.width < 64 || r.height < 64).length;
  return {cut, small, scroll: document.documentElement.scrollWidth - width};
}
"""


def _check_fits(page, where):
    result = page.evaluate(FITS)
    assert result["scroll"] <= 0, (where, result)
    assert result["cut"] == [], (where, result["cut"][:5])
    assert result["small"] == 0, (where, result)


def test_large_text_and_200_percent_zoom_cut_nothing_off(live, new_context):
    _, aid = live.draft()
    # 200 % zoom on a 768×1024 tablet: the page lays out in 384×512 CSS pixels.
    context = new_context(viewport={"width": 384, "height": 512}, device_scale_factor=2)
    page = context.new_page()
    api_login(context, live, "kari")
    _hand_over(page, live, aid)
    for lang, start in (("nb", "Start"), ("ar", "ابدأ")):
        if lang == "ar":
            page.goto(live("/egenvurdering/velkommen"))
            page.get_by_role("button", name="العربية").click()
            # The choice is a form post: measure the page it answers with, not the one leaving.
            expect(page.locator("html")).to_have_attribute("lang", "ar")
        _check_fits(page, f"velkommen {lang} 200 %")
        page.get_by_role("link", name=start).click()
        for n in (1, 2, 13, 16):
            page.goto(live(f"/egenvurdering?n={n}"))
            _check_fits(page, f"spørsmål {n} {lang} 200 %")
    # Large text at 100 % zoom: the tablet's text size doubled (the pages are sized in rem).
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto(live("/egenvurdering/velkommen"))
    page.get_by_role("button", name="Norsk (bokmål)").click()
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    for path in ("/egenvurdering/velkommen", "/egenvurdering?n=1", "/egenvurdering?n=15",
                 "/egenvurdering/ferdig"):
        page.goto(live(path))
        page.evaluate("() => { document.documentElement.style.fontSize = '36px'; }")
        _check_fits(page, f"stor tekst {path}")


def test_end_and_comparison_in_arabic_pass_axe(live, context, page):
    from datetime import timedelta

    from kartlegging.clock import now_utc
    from kartlegging.extensions import db
    from kartlegging.models import Assessment
    _, aid = live.draft()
    inst, items = _questions(live)
    with live.db():
        a = db.session.get(Assessment, aid)
        db.session.add(Assessment(
            person_id=a.person_id, instrument_key=inst.key, instrument_version=inst.version,
            answers={"liv_helhet": 2, "bolig": 5, "naer_venn": "nei"}, parent_id=a.id,
            rated_by_person=True, created_by_id=a.created_by_id, updated_by_id=a.created_by_id,
            completed_at=now_utc() - timedelta(days=60)))
        db.session.commit()
    api_login(context, live, "kari")
    _hand_over(page, live, aid)
    page.get_by_role("button", name="العربية").click()
    page.get_by_role("link", name="ابدأ").click()
    page.locator(".lk-btn.lk-6").click()
    expect(page).to_have_url(re.compile(r"n=2$"))  # the answer is saved
    page.goto(live("/egenvurdering/ferdig"))
    t = live.app.extensions["translations"].get(inst, "ar")
    expect(page.locator("h1").first).to_have_text(t.text("done_title"))
    expect(page.locator("#unlock-h")).to_have_text("For ansatt: avslutt overleveringen")
    check_page(page, "64-ferdig-arabisk")
    page.get_by_role("link", name=t.text("compare_show")).click()
    expect(page.locator("h1")).to_have_text(t.text("compare_title"))
    expect(page.get_by_text(t.text("compare_better"))).to_be_visible()
    check_page(page, "65-sammenligning-arabisk")
    # The bars grow from the right, as Arabic reads.
    track = page.locator(".lk-track").nth(1).bounding_box()
    bar = page.locator(".lk-bar.lk-now").first.bounding_box()
    assert abs((bar["x"] + bar["width"]) - (track["x"] + track["width"])) < 1.5, (bar, track)
