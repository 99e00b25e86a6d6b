"""Livskvalitet: the hand-over mode (the person answers on the tablet) and staff entry.

During hand-over the session may reach only these pages (guard.HANDOVER_ENDPOINTS);
ending it needs the staff member's password, or for an SSO user a fresh login at the
identity provider (the fence lets through only that answer: guard.handover_reauth_return).
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..access import audit, reauth
from ..access.login import confirm_password
from ..assessments import drafts
from ..assessments.views import team_assessment
from ..clock import now_utc
from ..domain.instrument_types import DECLINE
from ..extensions import db
from ..forms.auth import PasswordConfirmForm
from ..forms.builder import form_class, stored_to_formdata
from ..models import Assessment, User
from . import ratings

bp = Blueprint("selfrating", __name__)
HANDOVER_END = "handover_end"  # the re-authentication action (access/reauth.py)


def _rated_assessment(assessment_id: int) -> Assessment:
    """The team's assessment of a form that embeds the self-rating (the Alna kartlegging)."""
    a = team_assessment(assessment_id)
    if not drafts.takes_selfrating(drafts.instrument_of(a)):
        abort(404)
    return a


def _questions(inst):
    return [item for section in inst.sections for item in section.items]


def _handover_rating() -> Assessment:
    state = session.get("handover")
    if not state:
        abort(404)
    rating = db.session.get(Assessment, state["rating_id"])
    if rating is None or rating.completed_at is not None:
        session.pop("handover", None)
        abort(404)
    return rating


@bp.route("/kartlegginger/<int:assessment_id>/livskvalitet/gi-nettbrettet", methods=["POST"])
def start(assessment_id):
    kartlegging = _rated_assessment(assessment_id)
    if kartlegging.is_signed:
        abort(409)
    rating = drafts.start(kartlegging.person, current_user, drafts.LIVSKVALITET,
                       parent_id=kartlegging.id, rated_by_person=True)
    audit.record("handover_start", person_id=kartlegging.person_id, obj=rating)
    session["handover"] = {"rating_id": rating.id, "user_id": current_user.id,
                           "return_to": kartlegging.id}
    return redirect(url_for(".question", n=1))


def _choice_value(item, raw: str | None):
    """A tapped button's value, checked against the item; None = skipped."""
    if raw in (None, ""):
        return None
    if raw == DECLINE and item.decline:
        return DECLINE
    if item.type == "scale":
        try:
            value = int(raw)
        except ValueError:
            abort(400)
        if not item.min <= value <= item.max:
            abort(400)
        return value
    if raw in {o.value for o in item.options}:
        return raw
    abort(400)


@bp.route("/egenvurdering", methods=["GET", "POST"])
def question():
    rating = _handover_rating()
    inst = drafts.instrument_of(rating)
    items = _questions(inst)
    try:
        n = int(request.values.get("n", 1))
    except ValueError:
        n = 1
    n = min(max(n, 1), len(items))
    item = items[n - 1]
    if request.method == "POST":
        if "tilbake" in request.form:
            return redirect(url_for(".question", n=max(n - 1, 1)))
        if "stopp" in request.form:  # "Jeg vil stoppe her": what is answered is kept
            session["handover"] = {**session["handover"], "stopped": "person"}
            audit.record("handover_stop", person_id=rating.person_id, obj=rating,
                         user=db.session.get(User, session["handover"]["user_id"]),
                         detail=f"personen stoppet ved spørsmål {n} av {len(items)}")
            return redirect(url_for(".done"))
        value = _choice_value(item, request.form.get("svar"))
        try:
            drafts.set_answer(rating, item.id, value)
        except drafts.Locked:
            abort(404)  # ended meanwhile: the hand-over is over
        except drafts.Conflict:
            abort(409)
        if n == len(items):
            return redirect(url_for(".done"))
        return redirect(url_for(".question", n=n + 1))
    return render_template("selfrating/question.html", item=item, n=n, total=len(items),
                           current=(rating.answers or {}).get(item.id))


def _answered(rating: Assessment) -> tuple[int, int]:
    items = _questions(drafts.instrument_of(rating))
    answers = rating.answers or {}
    return sum(1 for i in items if answers.get(i.id) not in (None, "")), len(items)


@bp.route("/egenvurdering/ferdig")
def done():
    rating = _handover_rating()
    answered, total = _answered(rating)
    failure = reauth.take_failure(HANDOVER_END, {"rating_id": rating.id})
    sso_staff = _staff().is_sso
    if sso_staff:
        reauth.prepare_page()
    form = (PasswordConfirmForm(formdata=None, data=failure["fields"]) if failure
            else PasswordConfirmForm())
    return render_template("selfrating/done.html", form=form,
                           answered=answered, total=total,
                           stopped=session["handover"].get("stopped"),
                           staff=bool(failure) or request.args.get("ansatt") == "1",
                           sso_staff=sso_staff,
                           reauth_error=failure and failure["message"]
                           ), 403 if failure else 200


def _staff() -> User:
    return db.session.get(User, session["handover"]["user_id"])


@bp.route("/egenvurdering/avslutt", methods=["POST"])
def end():
    """Staff take the tablet back: their password, or for an SSO user a fresh login at the
    identity provider (access/reauth.py; the fence lets only its answer through)."""
    rating = _handover_rating()
    state = session["handover"]
    staff = _staff()
    form = PasswordConfirmForm()
    if staff.is_sso:
        return reauth.begin(HANDOVER_END, staff, {"rating_id": rating.id},
                            reauth.form_fields(form))
    problem = (confirm_password(staff, form.password.data) if form.validate_on_submit()
               else "Skriv passordet ditt.")
    if problem:
        audit.record("handover_end_failed", person_id=rating.person_id, obj=rating, user=staff)
        form.password.errors = [f"{problem} Nettbrettet er fortsatt overlevert til personen."]
        answered, total = _answered(rating)
        return render_template("selfrating/done.html", form=form, answered=answered,
                               total=total, stopped=state.get("stopped"), staff=True,
                               sso_staff=False), 403
    return _end_handover(rating, state, staff)


def _end_handover(rating: Assessment, state: dict, staff: User):
    """The staff member is confirmed: the rating is completed, the tablet is staff's again."""
    ratings.complete(rating, drafts.registry(), now_utc())
    session.pop("handover")
    answered, total = _answered(rating)
    detail = None
    if answered < total:
        who = "personen" if state.get("stopped") == "person" else "ansatt"
        detail = f"avsluttet før alle spørsmål var besvart ({answered} av {total}), av {who}"
    audit.record("handover_end", person_id=rating.person_id, obj=rating, user=staff,
                 detail=detail)
    flash("Egenvurderingen er lagret"
          + (f" som ufullstendig ({answered} av {total} spørsmål besvart)" if detail else "")
          + ". Nettbrettet er tilbake i ansattmodus.", "success")
    return redirect(url_for("assessments.section", assessment_id=state["return_to"],
                            section_id=_embed_section(state["return_to"])))


def _reauth_confirmed(pending):
    rating = _handover_rating()
    if rating.id != pending["target"]["rating_id"]:
        abort(404)
    return _end_handover(rating, session["handover"], _staff())


def _reauth_failed(pending):
    rating = _handover_rating()
    audit.record("handover_end_failed", person_id=rating.person_id, obj=rating,
                 user=_staff(), detail="bekreftelsen hos identitetsleverandøren ble avvist")
    return redirect(url_for("selfrating.done", ansatt=1))


reauth.register(HANDOVER_END, "Avslutningen av overleveringen",
                complete=_reauth_confirmed, failed=_reauth_failed)


def _embed_section(kartlegging_id: int) -> str:
    inst = drafts.instrument_of(db.session.get(Assessment, kartlegging_id))
    return next((s.id for s in inst.sections if s.embed == "livskvalitet"), inst.sections[0].id)


@bp.route("/kartlegginger/<int:assessment_id>/livskvalitet/ansatt", methods=["GET", "POST"])
def staff_entry(assessment_id):
    """Staff register the rating on the person's behalf: marked 'registrert av ansatt'."""
    kartlegging = _rated_assessment(assessment_id)
    inst = drafts.registry().latest(drafts.LIVSKVALITET)
    forms = [form_class(inst, s.id)(prefix=s.id) for s in inst.sections]
    if request.method == "GET":
        forms = [form_class(inst, s.id)(prefix=s.id, data=stored_to_formdata(s, {}))
                 for s in inst.sections]
    elif kartlegging.is_signed:
        abort(409)
    elif all(f.validate_on_submit() for f in forms):
        rating = drafts.start(kartlegging.person, current_user, drafts.LIVSKVALITET,
                           parent_id=kartlegging.id, rated_by_person=False)
        merged = {}
        for f in forms:
            merged.update(f.answers())
        rating.answers = {k: v for k, v in merged.items() if v not in (None, "", [])}
        ratings.complete(rating, drafts.registry(), now_utc())
        audit.record("selfrating_save", person_id=kartlegging.person_id, obj=rating,
                     detail="registrert av ansatt")
        flash("Livskvalitet er registrert (registrert av ansatt).", "success")
        return redirect(url_for("assessments.section", assessment_id=kartlegging.id,
                                section_id=_embed_section(kartlegging.id)))
    status = 422 if request.method == "POST" else 200
    return render_template("selfrating/staff.html", a=kartlegging, inst=inst,
                           forms=list(zip(inst.sections, forms))), status
