"""Build the PDF summary's content (a plain dict for pdf.render) from one assessment.

Hidden items are left out, unanswered ones shown as such. Everything is formatted here in
Norwegian; pdf.render only lays it out.
"""
import hashlib
import json

from ..assessments import drafts, earlier_ip
from ..clock import oslo_datetime, today
from ..domain import consent_rules
from ..domain.instrument_facts import coordinator_applies, reference_day, takes_selfrating
from ..domain.rules import Evaluator, area_ratings, display_value, evaluate, score_detail
from ..domain.sum_scores import sum_score
from ..livskvalitet.ratings import mean_text, person_ratings
from ..persons import consents, operations
from .score_summary import sum_block

VURDERING = "vurdering"


NO_PARORENDE_CONSENT = ("Merk: registrert uten at samtykke for opplysninger fra eller til "
                        "pårørende var i kraft ved signering.")


def _rows(inst, ev, section, answers, context=None):
    """`context["parorende_consent"] is False` (frozen at signing) marks pårørende answers."""
    unconsented = (context or {}).get("parorende_consent") is False
    rows = []
    for item in section.items:
        if not ev.visible(item) or item.type == "display":   # no answer to print
            continue
        value = answers.get(item.id)
        answered = value not in (None, "", [])
        row = {"label": item.label,
               "answer": display_value(item, value) if answered else None,
               "comment": answers.get(item.comment_id) if item.comment else None}
        if unconsented and answered and item.topic == "parorende":
            row["mark"] = NO_PARORENDE_CONSENT
        rows.append(row)
    return rows


def _livskvalitet(a, registry):
    ratings = [r for r in person_ratings(a.person_id, registry)
               if r.assessment.completed_at <= (a.signed_at or r.assessment.completed_at)]
    own = [r for r in ratings if r.assessment.parent_id == a.id] or ratings
    if not own:
        return None
    latest = own[-1]
    inst = drafts.instrument_of(latest.assessment)
    items, yes_no = [], []
    for item in inst.items.values():
        v = latest.assessment.answers.get(item.id)
        text = display_value(item, v)
        if item.type == "scale":
            items.append({"label": item.short_label, "value": latest.values.get(item.id),
                          "text": text})
        else:
            yes_no.append({"label": item.short_label, "text": text})
    return {"latest": {"date": latest.date, "answered_by": latest.answered_by,
                       "mean": latest.mean_text,
                       "items": items, "yes_no": yes_no},
            "history": [{"date": r.date, "mean": r.mean} for r in ratings]}


def _vurdering(inst, answers, evaluation):
    if inst.section(VURDERING) is None:
        return None
    rows = [{"area": item.label, "rating": v,
             "rating_label": display_value(item, v) if v else None,
             "comment": answers.get(item.comment_id)}
            for item, v in area_ratings(inst, answers, VURDERING)]
    index = evaluation.derived.get("levekarsindeks")
    return {"rows": rows, "index": index and {"label": index.title, "value": index.text,
                                              "note": index.note}}


def _ip(inst, ev, answers, evaluation, earlier=None):
    d = evaluation.derived.get("ip")
    if d is None:
        return None
    ip_items = [i for i in inst.section(VURDERING).items if not i.area and ev.visible(i)]
    # Only a record that follows a decline carries the note: older documents keep their content.
    note = {"earlier": earlier} if earlier else {}
    return {"prompt": d.text, "reasons": d.reasons, "legal_basis": d.legal_basis, **note,
            "rows": [{"label": i.label, "answer": display_value(i, answers.get(i.id))
                      if answers.get(i.id) not in (None, "", []) else None,
                      "comment": answers.get(i.comment_id) if i.comment else None}
                     for i in ip_items]}


def frozen_context(a, day) -> dict:
    """What the record states besides the answers at signing: consents, kontaktperson."""
    lists = consents.lists()
    contact = operations.current_contact(a.person_id)
    coordinator = operations.current_coordinator(a.person_id)
    in_force = consents.in_force(a.person_id, day)
    return {
        "consents": [consent_rules.describe(c, lists["parties"], lists["categories"])
                     for c in in_force],
        "parorende_consent": any(c.party_kind == "parorende" for c in in_force),
        "kontaktperson": contact.user.name if contact else None,
        "koordinator": (f"{coordinator.name}, {coordinator.service} (fra "
                        f"{coordinator.since.strftime('%d.%m.%Y')})") if coordinator else None,
        "earlier_ip": earlier_ip.earlier_note(a, drafts.registry()),
    }


def content_sha256(doc: dict) -> str:
    """SHA-256 over the canonical JSON of exactly what the document shows (build()'s dict),
    the hash itself left out: answers, livskvalitet ratings and history, context, signer."""
    shown = dict(doc)
    if shown.get("signature"):
        shown["signature"] = {k: v for k, v in shown["signature"].items()
                              if k != "content_sha256"}
    blob = json.dumps(shown, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def build(a, context: dict, registry) -> dict:
    inst = drafts.instrument_of(a)
    answers = a.answers or {}
    day = reference_day(a.signed_at, today())
    ev = Evaluator(inst, answers, day)
    evaluation = evaluate(inst, answers, day)
    person = a.person
    sections = [{"title": s.title, "rows": _rows(inst, ev, s, answers, context)}
                for s in inst.sections
                if s.id != VURDERING and ev.section_visible(s)]
    extra = []
    # Consents matter where the form holds information from or about pårørende, the
    # koordinator where it prompts for an individuell plan or a koordinator (the Alna form).
    if any(i.topic == "parorende" for i in inst.items.values()):
        extra.append({"title": "Samtykker i kraft ved signering",
                      "rows": [{"label": f"Samtykke {i}", "answer": text}
                               for i, text in enumerate(context["consents"], 1)],
                      "empty_text": "Ingen samtykker i kraft ved signering."})
    contact = {"label": "Fast kontaktperson", "answer": context["kontaktperson"]}
    if coordinator_applies(inst):
        extra.append({"title": "Kontaktperson og koordinator", "rows": [
            contact,
            {"label": "Koordinator", "answer": context["koordinator"] or "Ingen registrert"}]})
    else:
        extra.append({"title": "Kontaktperson", "rows": [contact]})
    for spec in inst.scores:
        if "sum_of" in spec:   # a standard instrument's sum, cut-off and source
            extra.append(sum_block(sum_score(inst, answers, spec["id"], day), inst.source))
            continue
        detail = score_detail(inst, answers, spec["id"])
        extra.append({"title": spec["label"], "rows": [
            {"label": spec["label"], "answer": mean_text(detail) or "Ikke beregnet: ingen svar"}]})
    for d in evaluation.derived.values():
        if d.id not in ("ip", "levekarsindeks"):
            extra.append({"title": d.title, "rows": [
                {"label": "Vurdering", "answer": d.text}] + [
                {"label": "Grunn", "answer": r} for r in d.reasons]})
    if a.supersedes_id:
        extra.append({"title": "Rettelse", "rows": [{"label": "Erstatter dokument",
                                                    "answer": a.supersedes.document_id}]})
    signature = None
    if a.is_signed or a.signed_at:
        signature = {"name": a.signed_by.name, "role": a.signed_by.role_label,
                     "team": person.team.name, "signed_at": oslo_datetime(a.signed_at),
                     "document_id": a.document_id, "document_label": a.document_label,
                     "content_sha256": a.content_sha256}
    return {
        "title": inst.title, "instrument": f"{inst.key} versjon {inst.version}",
        "team": person.team.name,
        "person": {"name": person.name, "number": person.national_id_formatted,
                   "number_label": person.national_id_label,
                   "number_note": None if person.national_id else
                   f"Uten fødselsnummer: {person.no_id_reason}"},
        "document_id": a.document_id,
        "document_label": a.document_label,
        "status_line": "Signert" if signature else "Utkast – ikke signert",
        "sections": sections,
        "livskvalitet": _livskvalitet(a, registry) if takes_selfrating(inst) else None,
        "vurdering": _vurdering(inst, answers, evaluation),
        "ip": _ip(inst, ev, answers, evaluation, context.get("earlier_ip")),
        "extra_boxes": extra,
        "signature": signature,
    }
