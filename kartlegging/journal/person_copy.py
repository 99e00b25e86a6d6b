"""«Din kartlegging»: the person's own copy of a signed kartlegging, in plain words
(pasient- og brukerrettighetsloven § 5-1). What they said was important to them, their own
livskvalitet answers beside last time's, what was agreed with them (instruments/person_copy.yaml
names the items), who to reach, and their rights: in bokmål, and again in the language they
used for the rating where a translation exists. Never internal codes, document ids, the
levekårsindeks or BrukerPlan colours, nor any staff assessment.

`build` gathers a plain dict; person_copy_pdf.render lays it out as PDF/A.
"""
from ..assessments import drafts
from ..clock import today
from ..domain.instrument_facts import LIVSKVALITET, reference_day
from ..domain.instrument_types import DECLINE
from ..domain.rules import Evaluator, display_value
from ..domain.translations import UNCHECKED, Translation
from ..livskvalitet.ratings import person_ratings
from ..persons import operations


def _date(dt) -> str:
    return dt.strftime("%d.%m.%Y") if dt else ""


def _rating_pair(a, registry):
    """The rating taken with this kartlegging (else the newest before its signing) and the
    one before it: (this, last), either None."""
    ratings = [r.assessment for r in person_ratings(a.person_id, registry)
               if a.signed_at is None or r.assessment.completed_at <= a.signed_at]
    own = [r for r in ratings if r.parent_id == a.id] or ratings
    if not own:
        return None, None
    this = own[-1]
    before = [r for r in ratings if r.completed_at < this.completed_at and r.id != this.id]
    return this, (before[-1] if before else None)


def _answer(t: Translation, item, value) -> str | None:
    """A rating's answer in the words of `t`: '5 – Stort sett fornøyd', 'Ja', 'Vil ikke svare'."""
    if value in (None, "") or item is None:
        return None
    if value == DECLINE:
        return t.decline
    if item.type == "scale" and isinstance(value, int) and not isinstance(value, bool):
        anchor = t.anchor(item, value)
        return f"{value} – {anchor}" if anchor else str(value)
    return t.option_label(item, value)


def _ratings_rows(t: Translation, this, last) -> list[list[str]]:
    """[question, now, last time] per question of this rating's form, in `t`'s words."""
    inst = t.instrument
    last_inst = drafts.instrument_of(last) if last is not None else None
    rows = []
    for item in inst.items.values():
        now = _answer(t, item, (this.answers or {}).get(item.id))
        before = None
        if last is not None and item.id in last_inst.items:
            # Same id, same meaning in every version: last time's answer in this version's words.
            before = _answer(t, item, (last.answers or {}).get(item.id))
        rows.append([t.short(item), now or t.copy["not_answered"],
                     before or t.copy["not_answered"]])
    return rows


def _part(t: Translation, common: dict, this, last) -> dict:
    """One language's version of the copy; the person's own words and the agreed answers are
    as recorded (in bokmål), the headings, questions and rights in `t`'s words."""
    c = t.copy
    sections = []
    if common["own_words"]:
        sections.append({"title": c["important"], "paragraphs": common["own_words"]})
    if this is not None:
        sections.append({"title": c["answers"], "paragraphs": [c["answers_note"]],
                         "table": {"header": ["", c["now"], c["last_time"]],
                                   "rows": _ratings_rows(t, this, last)}})
    if common["agreed"]:
        sections.append({"title": c["agreed"], "pairs": common["agreed"]})
    sections.append({"title": c["contact"], "pairs": common["contact"],
                     "paragraphs": common["reach_team"]})
    sections.append({"title": c["complaint_title"], "paragraphs": [c["complaint"]]})
    sections.append({"title": c["access_title"], "paragraphs": [c["access"]]})
    return {"language": t.language, "direction": t.direction, "name": t.name_nb,
            "title": c["title"], "intro": c["intro"].format(date=common["date"]),
            "unchecked": None if t.quality_assured else f"{UNCHECKED.capitalize()}. "
                                                        f"{t.text('unchecked')}",
            "heading": None if t.is_source else f"{c['own_language']}: {t.name}",
            "sections": sections}


def available(a, spec) -> bool:
    return a.is_signed and spec.of(a.instrument_key) is not None


def build(a, registry, translations, spec) -> dict:
    """The copy of signed kartlegging `a` as a plain dict (see person_copy_pdf.render)."""
    inst = drafts.instrument_of(a)
    form = spec.of(a.instrument_key)
    answers = a.answers or {}
    ev = Evaluator(inst, answers, reference_day(a.signed_at, today()))
    own_words = [ev.value(i) for i in form.own_words
                 if i in inst.items and ev.value(i) not in (None, "")]
    agreed = [(label, display_value(inst.items[q], ev.value(q))) for q, label in form.agreed
              if q in inst.items and ev.value(q) not in (None, "", [])]
    contact = operations.current_contact(a.person_id)
    coordinator = operations.current_coordinator(a.person_id)
    this, last = _rating_pair(a, registry)
    common = {
        "date": _date(a.signed_at), "own_words": own_words, "agreed": agreed,
        "contact": [("Kontaktperson", contact.user.name if contact else "Ingen registrert"),
                    ("Koordinator", f"{coordinator.name}, {coordinator.service}"
                     if coordinator else "Ingen registrert")],
        # the team's own words (an admin writes them), else the bydel's general sentence
        "reach_team": (a.person.team.contact or spec.reach_team).splitlines(),
    }
    # The words around the copy come with the livskvalitet form (its language files).
    rating_inst = (drafts.instrument_of(this) if this is not None
                   else registry.latest(LIVSKVALITET))
    parts = [_part(translations.for_instrument(rating_inst, "nb"), common, this, last)]
    used = this.language if this is not None else None
    if used and used != "nb":
        t = translations.get(rating_inst, used)
        if t is not None:
            parts.append(_part(t, common, this, last))
    return {"title": "Din kartlegging", "person": a.person.name, "team": a.person.team.name,
            "date": common["date"], "parts": parts,
            "language": used, "language_name": parts[-1]["name"] if len(parts) > 1 else None}
