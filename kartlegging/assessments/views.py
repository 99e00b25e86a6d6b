"""Kartlegging views: start, overview, one section per screen, autosave. Views only."""
import json

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from ..access import audit
from ..access.guard import team_person
from ..autocommit import no_transaction
from ..clock import oslo_time, today
from ..domain.instrument_facts import KARTLEGGING, LIVSKVALITET, reference_day, takes_selfrating
from ..domain.rules import (
    Evaluator,
    evaluate,
    item_flags,
    missing_required,
    problems,
    progress,
    score_detail,
)
from ..domain.sum_scores import sum_score
from ..extensions import db
from ..forms.builder import checked_changes, form_class, stored_to_formdata
from ..livskvalitet.ratings import mean_text
from ..models import Assessment
from ..persons import consents, operations
from . import drafts, earlier_ip

bp = Blueprint("assessments", __name__)


def team_assessment(assessment_id: int, key: str | None = None) -> Assessment:
    """An assessment of a staff form (any, or of `key`) of the user's team; else 404."""
    # The person comes in the same query: the team check below needs no second one.
    a = db.session.get(Assessment, assessment_id, options=[joinedload(Assessment.person)])
    if a is None or (a.instrument_key != key if key else not drafts.staff_form(a.instrument_key)):
        abort(404)
    team_person(a.person_id)
    return a


@bp.route("/personer/<int:person_id>/kartlegginger", methods=["POST"])
def start(person_id):
    """A new draft of the Alna kartlegging, or of another form (`skjema`). With a draft of that
    form already open, only on purpose and with a reason."""
    person = team_person(person_id)
    key = (request.form.get("skjema") or KARTLEGGING).strip()
    if not drafts.staff_form(key):
        return render_template("error.html", code=404,
                               message="Fant ikke skjemaet. Velg et skjema fra personsiden."), 404
    existing = drafts.open_draft(person.id, key)
    new_label = None if key == KARTLEGGING else "et nytt utkast"
    reason = (request.form.get("grunn") or "").strip()
    if existing is not None and not reason:
        return render_template("assessments/second_draft.html", person=person,
                               existing=existing, too_long=False, new_label=new_label,
                               resume=drafts.resume_section(existing)), 409
    if existing is not None and len(reason) > 500:
        return render_template("assessments/second_draft.html", person=person,
                               existing=existing, too_long=True, reason=reason,
                               new_label=new_label, resume=drafts.resume_section(existing)), 422
    a = drafts.start(person, current_user, key)
    audit.record("assessment_create", person_id=person.id, obj=a,
                 detail=f"nytt utkast mens {existing.document_id} er åpent: {reason}"
                 if existing is not None else None)
    first = drafts.instrument_of(a).sections[0].id
    return redirect(url_for(".section", assessment_id=a.id, section_id=first))


@bp.route("/kartlegginger/<int:assessment_id>")
def overview(assessment_id):
    a = team_assessment(assessment_id)
    inst = drafts.instrument_of(a)
    day = reference_day(a.signed_at, today())
    audit.record("assessment_view", person_id=a.person_id, obj=a)
    return render_template("assessments/overview.html", a=a, inst=inst,
                           progress=drafts.progress_of(a, inst),
                           missing=missing_required(inst, a.answers),
                           resume=drafts.resume_section(a),
                           parorende_warning=_parorende_warning(a, inst),
                           evaluation=evaluate(inst, a.answers, day),
                           problems=problems(inst, a.answers, day),
                           ratings=drafts.ratings_of(a),
                           selfrating=takes_selfrating(inst),
                           scores=[(s["label"], sum_score(inst, a.answers, s["id"], day).text
                                    if "sum_of" in s else
                                    mean_text(score_detail(inst, a.answers, s["id"]))
                                    or "Ikke beregnet: ingen svar") for s in inst.scores],
                           source=inst.source,
                           history=_history(a), later=_later(a))


def _parorende_warning(a: Assessment, inst) -> bool:
    """Pårørende items are answered while no consent covers information from pårørende."""
    if a.is_signed:
        return False
    ev = Evaluator(inst, a.answers, reference_day(a.signed_at, today()))
    answered = [i for i in inst.items.values() if i.topic == "parorende"
                and i.id in a.answers and ev.visible(i) and a.answers[i.id] != "nei"]
    return bool(answered) and not consents.covering_parorende(a.person_id, today())


def _later(a: Assessment) -> Assessment | None:
    return db.session.query(Assessment).filter(Assessment.supersedes_id == a.id).first()


def _history(a: Assessment) -> list[Assessment]:
    """The chain of corrections this assessment belongs to, newest first."""
    chain, cur = [], a
    while cur is not None:
        chain.append(cur)
        cur = cur.supersedes
    later = _later(a)
    return ([later] if later else []) + chain


def _prompt_notes(a, placed) -> dict[str, str]:
    """Notes beside a prompt from earlier records: the IP prompt names an earlier decline or
    accepted offer."""
    if not any(d.id == "ip" for _, d in placed):
        return {}
    note = earlier_ip.earlier_note(a, drafts.registry())
    return {"ip": note} if note else {}


def _section_context(a, inst, section, form, **extra):
    ev = Evaluator(inst, a.answers, reference_day(a.signed_at, today()))
    placed = [(spec.get("place"), ev.derived(spec["id"])) for spec in inst.derived
              if (spec.get("place") or {}).get("section") == section.id]
    # The pårørende notice stands beside the first pårørende item, and shows with it.
    parorende_items = [i for i in section.items if i.topic == "parorende"]
    shown = [s.id for s in inst.sections if ev.section_visible(s)]
    ctx = dict(a=a, inst=inst, section=section, form=form, ev=ev,
               prompts_before={p["before"]: d for p, d in placed if p.get("before")},
               prompts_after=[d for p, d in placed if not p.get("before")],
               prompt_notes=_prompt_notes(a, placed),
               progress=drafts.progress_of(a, inst),
               missing=missing_required(inst, a.answers),
               shown_sections=shown,
               aside_count=0 if a.is_signed else len(a.set_aside or {}),
               index=inst.section_index(section.id),
               # Numbered over all sections, so a section that comes to apply never
               # renumbers the others; how many are skipped is said beside it.
               step=(inst.section_index(section.id) + 1, len(inst.sections),
                     len(inst.sections) - len(shown)) if section.id in shown else None,
               last_section=not shown or section.id == shown[-1],
               ratings=drafts.ratings_of(a) if section.embed == LIVSKVALITET else [],
               parorende_item=parorende_items[0] if parorende_items else None,
               parorende_shown=any(ev.visible(i) for i in parorende_items),
               parorende_consents=(consents.covering_parorende(a.person_id, today())
                                   if parorende_items else None),
               prefilled=drafts.prefilled(a),
               flags={} if a.is_signed else item_flags(inst, a.answers, section, ev=ev),
               flaggable={c["field"] for c in inst.checks if c.get("on_item")},
               reminders=operations.coordinator_reminders(a.person_id, inst,
                                                          [d for _, d in placed]))
    ctx.update(extra)
    return ctx


def _shown_sections(inst, ev) -> list[str]:
    """The sections the menu lists (those that apply, and the current one)."""
    return [s.id for s in inst.sections if ev.section_visible(s)]


def _neighbour(inst, a, section_id, step):
    ev = Evaluator(inst, a.answers)
    ids = [s.id for s in inst.sections if ev.section_visible(s)]
    if section_id not in ids:
        return None
    i = ids.index(section_id) + step
    return ids[i] if 0 <= i < len(ids) else None


@bp.route("/kartlegginger/<int:assessment_id>/del/<section_id>", methods=["GET", "POST"])
def section(assessment_id, section_id):
    a = team_assessment(assessment_id)
    inst = drafts.instrument_of(a)
    sec = inst.section(section_id) or abort(404)
    cls = form_class(inst, section_id)
    if request.method == "GET":
        audit.record("assessment_view", person_id=a.person_id, obj=a, detail=section_id)
        form = cls(data=stored_to_formdata(sec, a.answers))
        return render_template("assessments/section.html",
                               **_section_context(a, inst, sec, form))
    if a.is_signed:
        return _locked_response(a)
    form = cls()
    if not form.validate():
        flash("Noe i skjemaet må rettes. Se meldingene ved spørsmålene.", "error")
        return render_template("assessments/section.html",
                               **_section_context(a, inst, sec, form)), 422
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    try:
        saved = drafts.save(a, form.answers(), expected_version=version, by=current_user,
                            section_id=section_id)
    except drafts.Conflict as e:
        audit.record("assessment_conflict", person_id=a.person_id, obj=a, detail=section_id)
        return render_template("assessments/section.html", conflict=True,
                               **_section_context(e.current, inst, sec, form)), 409
    target = section_id
    if "neste" in request.form:
        target = _neighbour(inst, a, section_id, 1)
    elif "forrige" in request.form:
        target = _neighbour(inst, a, section_id, -1)
    flash(f"Lagret kl. {oslo_time(saved.updated_at)}.", "success")
    if saved.moved_aside:
        flash(aside_message(len(saved.moved_aside)), "info")
    if target is None:
        return redirect(url_for(".overview", assessment_id=a.id))
    return redirect(url_for(".section", assessment_id=a.id, section_id=target))


@bp.route("/kartlegginger/<int:assessment_id>/deler")
def sections_bundle(assessment_id):
    """Every section of a draft as the page shows it (JSON: version, panels by section id),
    fetched once when a section opens: the page can then move between sections without
    network. Held only in the page's memory, never stored by the browser."""
    a = team_assessment(assessment_id)
    if a.is_signed:
        return _locked_response(a)
    inst = drafts.instrument_of(a)
    audit.record("assessment_view", person_id=a.person_id, obj=a,
                 detail="alle deler (for bruk uten nett)")
    panels = {}
    for sec in inst.sections:
        form = form_class(inst, sec.id)(data=stored_to_formdata(sec, a.answers))
        panels[sec.id] = render_template("assessments/_section_panel.html",
                                         **_section_context(a, inst, sec, form))
    return jsonify(version=a.version, panels=panels)


def _locked_response(a):
    if request.is_json:
        return jsonify(error="locked", message=drafts.Locked.message), 409
    return render_template("error.html", code=409, message=drafts.Locked.message), 409


@bp.route("/kartlegginger/<int:assessment_id>/autolagre", methods=["POST"])
@no_transaction  # its one write is a single statement (drafts._write)
def autosave(assessment_id):
    """JSON autosave of one section: {version, section, answers: {field: value|[values]}}."""
    # One query for the draft, its person's team and the self-rating flag (no ORM object).
    a = drafts.draft_row(assessment_id)
    if a is None or not drafts.staff_form(a.instrument_key):
        abort(404)
    me = current_user._get_current_object()  # asked for below; the proxy once
    if a.team_id != me.team_id:
        team_person(a.person_id)  # another team's: logged as a denied attempt, 404
    if a.is_signed:
        return _locked_response(a)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        return jsonify(error="invalid", message="Ugyldige data. Last siden på nytt."), 400
    inst = drafts.instrument_of(a)
    sec = inst.section(str(payload.get("section")))
    version = payload.get("version")
    if sec is None or not isinstance(version, int) or isinstance(version, bool):
        return jsonify(error="invalid", message="Ugyldige data. Last siden på nytt."), 400
    formdata = MultiDict()
    for key, value in payload["answers"].items():
        for v in (value if isinstance(value, list) else [value]):
            formdata.add(str(key), "" if v is None else str(v))
    checked = checked_changes(inst, sec.id, formdata, a.answers or {})
    if checked.errors:
        return jsonify(error="invalid", message="Noe må rettes før det kan lagres.",
                       errors=checked.errors), 422
    rated = a.rated and takes_selfrating(inst)
    try:
        saved = drafts.save(a, checked.answers, expected_version=version, by=me,
                            section_id=sec.id)
    except drafts.Conflict as e:
        audit.record("assessment_conflict", person_id=a.person_id, obj=a, detail=sec.id)
        return jsonify(error="conflict", message=drafts.Conflict.message,
                       version=e.current.version), 409
    # Saved and committed with its audit row. The reply names the version this save wrote
    # (never a later one by another client) and counts for the menu what it wrote, with the
    # Evaluator the save used to set answers aside: only the sections this save can change,
    # unless the client asks for all (`full`: its menu may be behind, after a conflict).
    live = None if payload.get("full") is True else drafts.live_sections(inst, sec.id)
    counts = drafts.progress_of(None, inst, saved.answers, rated=rated, ev=saved.ev,
                                sections=live)
    return jsonify(ok=True, version=saved.version, saved_at=oslo_time(saved.updated_at),
                   restored=saved.restored, moved_aside=len(saved.moved_aside),
                   aside_message=(aside_message(len(saved.moved_aside))
                                  if saved.moved_aside else None),
                   reminders=_section_reminders(a.person_id, inst, sec, saved.ev),
                   **live_state(inst, saved.answers, sec, counts, saved.ev, live))


def _section_reminders(person_id, inst, section, ev) -> list[str] | None:
    """The koordinator reminders beside this section, as they read after the save (they
    change with the answers, e.g. once the koordinator is offered); None for a section with
    no prompt that reminds, so the reply costs no query there."""
    placed = [spec["id"] for spec in inst.derived if spec.get("reminder")
              and (spec.get("place") or {}).get("section") == section.id]
    if not placed:
        return None
    return operations.coordinator_reminders(person_id, inst, [ev.derived(k) for k in placed])


@bp.route("/kartlegginger/<int:assessment_id>/gjenopprett", methods=["POST"])
def restore(assessment_id):
    """Which fields of the device's copy of unsaved answers may be saved again, decided here
    per field: {section, fields: JSON text of {name: {value, base_version, base_value, sent}}}
    -> {version, fields: {name: {outcome, server}}} with outcome apply / already / conflict.
    Saves nothing: the page saves what applies through the autosave, and shows conflicts.
    (The fields come as one JSON string: the input guard lets only flat JSON reach views.)"""
    a = drafts.draft_row(assessment_id)
    if a is None or not drafts.staff_form(a.instrument_key):
        abort(404)
    if a.team_id != current_user.team_id:
        team_person(a.person_id)
    if a.is_signed:
        return _locked_response(a)
    payload = request.get_json(silent=True)
    payload = payload if isinstance(payload, dict) else {}
    sec = drafts.instrument_of(a).section(str(payload.get("section")))
    try:
        fields = json.loads(payload.get("fields") or "")
    except (TypeError, ValueError, RecursionError):
        fields = None
    if sec is None or not isinstance(fields, dict):
        return jsonify(error="invalid", message="Ugyldige data. Last siden på nytt."), 400
    plan = drafts.restore_plan(a, sec.id, fields)
    answers = a.answers or {}
    return jsonify(version=a.version, fields={
        name: {"outcome": outcome, "server": drafts.as_posted(answers.get(name))}
        for name, outcome in plan.items()})


def aside_message(n: int) -> str:
    return (f"{n} svar gjelder ikke ut fra svaret du ga, og er lagt til side. De kommer "
            "tilbake hvis du endrer svaret igjen, og slettes først når kartleggingen signeres.")


def live_state(inst, answers, section, counts=None, ev=None, sections=None) -> dict:
    """What the section page shows live: its items' visibility and the prompts placed in it,
    which sections apply (the section menu: always every section), and the counts of the
    sections in `sections` (by default every one; the menu keeps the others as they are)."""
    ev = ev or Evaluator(inst, answers, today())
    shown = [spec["id"] for spec in inst.derived
             if (spec.get("place") or {}).get("section") == section.id]
    return {"visible": {i.id: ev.visible(i) for i in section.items},
            "sections": {s.id: ev.section_visible(s) for s in inst.sections},
            "progress": counts if counts is not None else progress(inst, answers, ev, sections),
            "missing": missing_required(inst, answers, ev, sections),
            "derived": {k: {"title": d.title, "text": d.text, "outcome": d.outcome,
                            "reasons": d.reasons} for k in shown for d in [ev.derived(k)]},
            "flags": item_flags(inst, answers, section, ev=ev)}
