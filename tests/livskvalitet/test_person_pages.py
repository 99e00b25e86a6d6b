"""The person's side of the hand-over: the welcome, the choice of language (the same answer
codes in every language), right-to-left Arabic, the sensitive-question notice, skipping, the
comparison with last time, and the fence around the new pages."""
import re

import pytest

from conftest import PASSWORD
from kartlegging.extensions import db
from kartlegging.models import Assessment, AuditEvent

LANGUAGES = ("nb", "nn", "en", "ar")


def start_handover(client, a):
    r = client.post(f"/kartlegginger/{a.id}/livskvalitet/gi-nettbrettet")
    assert r.status_code == 302 and r.headers["Location"].endswith("/egenvurdering/velkommen")


def rating_of(a):
    db.session.expire_all()
    return db.session.scalar(db.select(Assessment).where(Assessment.parent_id == a.id))


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def test_welcome_says_what_how_long_who_and_that_skipping_is_fine(staff, factory, app):
    client, user = staff
    person = factory.person()
    a = factory.assessment(person, user, filled=False)
    start_handover(client, a)
    page = client.get("/egenvurdering/velkommen").data.decode()
    assert '<html lang="nb" dir="ltr">' in page
    for text in ("Hvordan har du det?", "Det finnes ingen riktige eller gale svar.",
                 "Du kan hoppe over et spørsmål. Du kan stoppe når du vil.",
                 "Kontaktpersonen din og de andre i teamet som hjelper deg, kan se dem.",
                 "Det er 16 spørsmål. Det tar omtrent 5 minutter.", ">Start</a>"):
        assert text in page, text
    for name in ("Norsk (bokmål)", "Norsk (nynorsk)", "English", "العربية"):
        assert name in page
    assert 'lang="ar" dir="rtl"' in page  # the chooser names Arabic in its own direction
    assert "Ikke kvalitetssikret oversettelse" not in page  # bokmål is the form's own
    assert person.name not in page and "Logg ut" not in page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_question_in_each_language_stores_the_same_codes(staff, factory, app, lang):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    start_handover(client, a)
    r = client.post("/egenvurdering/velkommen", data={"sprak": lang})
    assert r.status_code == 302
    inst = app.extensions["instruments"].latest("livskvalitet")
    t = app.extensions["translations"].get(inst, lang)
    welcome = client.get("/egenvurdering/velkommen").data.decode()
    assert f'lang="{lang}" dir="{t.direction}"' in html_tag(welcome)
    assert t.text("welcome_title") in welcome and t.text("start") in welcome
    assert ("Ikke kvalitetssikret oversettelse" in welcome) is (not t.quality_assured)
    items = [i for s in inst.sections for i in s.items]
    expected = {}
    for n, item in enumerate(items, 1):
        page = client.get(f"/egenvurdering?n={n}").data.decode()
        assert t.label(item) in page.replace("&#39;", "'"), (lang, item.id)
        assert t.text("question_of", n=n, total=len(items)) in page
        if item.type == "scale":
            for v in range(item.min, item.max + 1):
                assert t.anchor(item, v) in page
            value = (n % 7) + 1
        else:
            assert t.option_label(item, "ja") in page and t.option_label(item, "nei") in page
            value = "nei" if n % 2 else "ja"
        if n == 3:
            value = "vil_ikke_svare"
        assert client.post(f"/egenvurdering?n={n}", data={"svar": str(value)}).status_code == 302
        expected[item.id] = value
    rating = rating_of(a)
    assert rating.answers == expected and rating.language == lang


def test_arabic_pages_are_right_to_left_and_staff_parts_stay_bokmål(staff, factory, app):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    start_handover(client, a)
    client.post("/egenvurdering/velkommen", data={"sprak": "ar"})
    page = client.get("/egenvurdering?n=1").data.decode()
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert "ما مدى رضاك عن حياتك بشكل عام؟" in page
    assert '<p class="staff-exit" lang="nb" dir="ltr">' in page
    done = client.get("/egenvurdering/ferdig").data.decode()
    assert 'class="staff-unlock lk-staff" aria-labelledby="unlock-h" lang="nb" dir="ltr"' in done
    assert "Lås opp" in done  # the staff member's unlock, in bokmål
    # the skip link, the first thing a screen reader or keyboard meets, speaks their language
    for path in ("/egenvurdering/velkommen", "/egenvurdering?n=1", "/egenvurdering/ferdig"):
        page = client.get(path).data.decode()
        assert '<a class="skip" href="#innhold">انتقل إلى المحتوى</a>' in page, path
        assert "Hopp til innholdet" not in page, path


def test_an_unknown_language_is_refused_and_keeps_the_choice(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    start_handover(client, a)
    client.post("/egenvurdering/velkommen", data={"sprak": "en"})
    assert client.post("/egenvurdering/velkommen", data={"sprak": "xx"}).status_code == 400
    assert client.post("/egenvurdering/velkommen", data={}).status_code == 400
    assert rating_of(a).language == "en"


def test_the_sensitive_questions_come_with_their_notice_and_decline(staff, factory, app):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    start_handover(client, a)
    inst = app.extensions["instruments"].latest("livskvalitet")
    items = [i for s in inst.sections for i in s.items]
    for lang in ("nb", "en"):
        client.post("/egenvurdering/velkommen", data={"sprak": lang})
        t = app.extensions["translations"].get(inst, lang)
        for n, item in enumerate(items, 1):
            page = client.get(f"/egenvurdering?n={n}").data.decode()
            assert (t.sensitive_notice in page) is item.sensitive, (lang, item.id)
            if item.sensitive:
                assert 'value="vil_ikke_svare" class="lk-decline"' in page
                assert t.decline in page
    nb_notice = inst.sensitive_notice
    assert nb_notice == ("Dette er et personlig spørsmål. Du kan hoppe over det eller velge "
                         "«Vil ikke svare».")


def test_skip_keeps_an_earlier_answer_and_moves_on(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    start_handover(client, a)
    client.post("/egenvurdering?n=1", data={"svar": "6"})
    r = client.post("/egenvurdering?n=1", data={"hopp": "1"})
    assert r.headers["Location"].endswith("/egenvurdering?n=2")
    r = client.post("/egenvurdering?n=16", data={"hopp": "1"})
    assert r.headers["Location"].endswith("/egenvurdering/ferdig")
    assert rating_of(a).answers == {"liv_helhet": 6}


def test_the_chosen_step_is_marked_in_words(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    start_handover(client, a)
    client.post("/egenvurdering?n=1", data={"svar": "4"})
    page = client.get("/egenvurdering?n=1").data.decode()
    chosen = re.findall(r'<button[^>]*aria-pressed="true"[^>]*>(.*?)</button>', page, re.S)
    assert len(chosen) == 1 and "✓ Valgt" in chosen[0] and "Blandet" in chosen[0]
    assert re.search(r'lk-4" aria-pressed="true"', page)
    # The anchor words show under 1, 4 and 7; the others are there for screen readers.
    assert page.count('class="lk-anchor"') == 3 and page.count('class="sr-only"') >= 4


def test_comparison_with_last_time_in_pictures_and_words(staff, factory, app):
    client, user = staff
    person = factory.person()
    a = factory.assessment(person, user, filled=False)
    factory.rating(a, user, values={"liv_helhet": 3, "bolig": 6, "okonomi": 4,
                                    "naer_venn": "nei"})
    start_handover(client, a)
    client.post("/egenvurdering/velkommen", data={"sprak": "en"})
    for n, value in ((1, "5"), (3, "4"), (6, "2"), (13, "ja")):
        client.post(f"/egenvurdering?n={n}", data={"svar": value})
    done = client.get("/egenvurdering/ferdig").data.decode()
    assert "Would you like to see your answers next to your answers from last time?" in done
    page = client.get("/egenvurdering/sammenligning").data.decode()
    rows = {re.search(r"<h2>(.*?)</h2>", li).group(1): li
            for li in page.split("<li>")[1:]}
    assert "Better than last time" in rows["Life as a whole"]
    assert "lk-bar lk-last lk-w3" in rows["Life as a whole"]
    assert "lk-bar lk-now lk-w5" in rows["Life as a whole"]
    assert "Worse than last time" in rows["Housing"]
    assert "Same as last time" in rows["Money"]
    assert "Not answered both times" in rows["Friends"]
    assert "Yes" in rows["A close friend"] and "No" in rows["A close friend"]
    # no numbers the person must interpret: no digit in the picture
    assert not re.search(r"\d", re.sub(r"<[^>]+>", "", page.split("<ul")[1]
                                       .split("</ul>")[0]))
    event = AuditEvent.query.filter_by(action="selfrating_compare").one()
    assert event.person_id == person.id and event.user_id == user.id


def test_no_comparison_offered_the_first_time(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    start_handover(client, a)
    assert "sammenligning" not in client.get("/egenvurdering/ferdig").data.decode()
    r = client.get("/egenvurdering/sammenligning")
    assert r.status_code == 302 and r.headers["Location"].endswith("/egenvurdering/ferdig")


def test_new_pages_are_fenced_and_fence_the_rest(staff, factory):
    client, user = staff
    person = factory.person()
    a = factory.assessment(person, user, filled=False)
    # Without a hand-over the person's pages show nothing.
    for url in ("/egenvurdering/velkommen", "/egenvurdering/sammenligning"):
        assert client.get(url).status_code == 404
    start_handover(client, a)
    for url in ("/egenvurdering/velkommen", "/egenvurdering/sammenligning"):
        assert client.get(url).status_code in (200, 302)
    for url in (f"/personer/{person.id}", f"/kartlegginger/{a.id}/pdf",
                f"/kartlegginger/{a.id}/din-kartlegging"):
        r = client.get(url)
        assert r.status_code == 302 and r.headers["Location"].endswith("/egenvurdering"), url
    assert client.post("/egenvurdering/avslutt", data={"password": PASSWORD}).status_code == 302
    assert client.get("/egenvurdering/velkommen").status_code == 404


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_scale_ramp_reads_in_greyscale_and_its_numbers_are_legible():
    """Each step lighter than the one before (the order survives greyscale), and the number
    on it at least 4.5:1 against its colour."""
    from pathlib import Path
    css = (Path(__file__).parents[2] / "kartlegging/static/css/handover.css").read_text()
    steps = dict((int(n), (bg, fg)) for n, bg, fg in re.findall(
        r"\.lk-(\d) \.lk-swatch \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{3,6}); \}",
        css))
    assert sorted(steps) == list(range(1, 8))
    grey = [_luminance(steps[n][0]) for n in range(1, 8)]
    assert grey == sorted(grey) and len(set(round(g, 3) for g in grey)) == 7
    for n, (bg, fg) in steps.items():
        fg = "#" + "".join(c * 2 for c in fg[1:]) if len(fg) == 4 else fg
        lighter, darker = sorted((_luminance(bg), _luminance(fg)), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, n
