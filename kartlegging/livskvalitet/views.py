"""Livskvalitet: the hand-over mode (the person answers on the tablet) and staff entry.

During hand-over the session may reach only these pages (fence.HANDOVER_ENDPOINTS).
Ending it needs the staff member's password (or for an SSO user a fresh login at the
identity provider: the fence lets through only that answer, fence.handover_reauth_return),
or a login on the unlock page by the same staff member or a colleague of the person's team.
Tries there have their own counter with a growing delay (attempts.reserve_handover_try),
never the account's login lockout: the person cannot lock staff out of taking the tablet back.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..access import attempts, audit, oidc, reauth, sessions
from ..access.fence import REAUTH_PENDING
from ..access.login import check_credentials, start_login
from ..assessments import drafts
from ..assessments.views import team_assessment
from ..clock import now_utc
from ..domain.instrument_facts import LIVSKVALITET, takes_selfrating
from ..domain.instrument_types import DECLINE
from ..extensions import db
from ..forms.auth import HandoverLoginForm, PasswordConfirmForm
from ..forms.builder import form_class, stored_to_formdata
from ..models import Assessment, User
from . import compare, language, ratings

bp = Blueprint("selfrating", __name__)
HANDOVER_END = "handover_end"  # the re-authentication action (access/reauth.py)


def _rated_assessment(assessment_id: int) -> Assessment:
    """The team's assessment of a form that embeds the self-rating (the Alna kartlegging)."""
    a = team_assessment(assessment_id)
    if not takes_selfrating(drafts.instrument_of(a)):
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
    rating = drafts.start(kartlegging.person, current_user, LIVSKVALITET,
                       parent_id=kartlegging.id, rated_by_person=True)
    audit.record("handover_start", person_id=kartlegging.person_id, obj=rating)
    attempts.clear_handover_tries(sessions.current_digest())  # a new hand-over, a new count
    session["handover"] = {"rating_id": rating.id, "user_id": current_user.id,
                           "return_to": kartlegging.id}
    return redirect(url_for(".welcome"))


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
        if "hopp" in request.form:  # skipped: an earlier answer to it stays as it was
            return redirect(url_for(".done") if n == len(items)
                            else url_for(".question", n=n + 1))
        if "stopp" in request.form:  # "Jeg vil stoppe her": what is answered is kept
            session["handover"] = {**session["handover"], "stopped": "person"}
            audit.record("handover_stop", person_id=rating.person_id, obj=rating,
                         user=db.session.get(User, session["handover"]["user_id"]),
                         detail=f"personen stoppet ved spørsmål {n} av {len(items)}")
            return redirect(url_for(".done"))
        value = _choice_value(item, request.form.get("svar"))
        before = (rating.answers or {}).get(item.id)
        try:
            drafts.set_answer(rating, item.id, value)
        except drafts.Locked:
            abort(404)  # ended meanwhile: the hand-over is over
        except drafts.Conflict:
            abort(409)
        if value != before:
            _note_changed(item.id)
        if n == len(items):
            return redirect(url_for(".done"))
        return redirect(url_for(".question", n=n + 1))
    section = inst.item_section[item.id]
    return render_template("livskvalitet/question.html", item=item, n=n, total=len(items),
                           current=(rating.answers or {}).get(item.id), t=language.of(rating),
                           section=section if section.items[0].id == item.id else None)


def _note_changed(item_id: str) -> None:
    """Which items the person changed during this hand-over (ids only, never answers: the
    cookie is signed, not encrypted). One audit row lists them when the hand-over ends, so
    the log shows the change without a row per tap."""
    state = session["handover"]
    changed = state.get("changed", [])
    if item_id not in changed:
        session["handover"] = {**state, "changed": [*changed, item_id]}


def _answered(rating: Assessment) -> tuple[int, int]:
    items = _questions(drafts.instrument_of(rating))
    answers = rating.answers or {}
    return sum(1 for i in items if answers.get(i.id) not in (None, "")), len(items)


@bp.route("/egenvurdering/ferdig")
def done():
    rating = _handover_rating()
    failure = reauth.take_failure(HANDOVER_END, {"rating_id": rating.id})
    if _staff().is_sso:
        reauth.prepare_page()
    form = (PasswordConfirmForm(formdata=None, data=failure["fields"]) if failure
            else PasswordConfirmForm())
    login_form = HandoverLoginForm() if request.args.get("innlogging") == "1" else None
    return _done_page(rating, form=form, login_form=login_form,
                      staff=bool(failure) or request.args.get("ansatt") == "1",
                      reauth_error=failure and failure["message"],
                      status=403 if failure else 200)


def _done_page(rating: Assessment, *, form=None, login_form=None, staff=True,
               reauth_error=None, status=200, wait: float = 0.0):
    """The thank-you page with the staff member's unlock, or (`login_form`) the login on the
    tablet that ends the hand-over: one password field on the page at a time."""
    answered, total = _answered(rating)
    response = render_template(
        "livskvalitet/done.html",
        form=form or PasswordConfirmForm(formdata=None),
        login_form=login_form, login_mode=login_form is not None,
        answered=answered, total=total, stopped=session["handover"].get("stopped"),
        staff=staff, sso_staff=_staff().is_sso, reauth_error=reauth_error,
        t=language.of(rating), earlier=bool(compare.previous(rating)))
    headers = {"Retry-After": str(max(1, int(wait + 0.999)))} if wait else {}
    return response, status, headers


def _staff() -> User:
    return db.session.get(User, session["handover"]["user_id"])


KEPT = " Nettbrettet er fortsatt overlevert til personen."
NO_LOGIN = ("Innloggingen på nettbrettet gjelder ikke lenger. Lukk nettleseren og logg inn "
            "på nytt.")
# How a hand-over was ended, for the audit log.
BY_PASSWORD = "med eget passord"
BY_FRESH_LOGIN = "ved ny innlogging av samme ansatt"


def _refused_early(rating: Assessment, staff: User, wait: float, field, how: str) -> None:
    """A try while the delay after earlier wrong tries runs: not checked (answered 429)."""
    message = (attempts.HANDOVER_WAIT.format(wait=attempts.seconds_text(wait)) if wait
               else NO_LOGIN)
    field.errors = [message + KEPT]
    audit.record("handover_end_failed", person_id=rating.person_id, obj=rating, user=staff,
                 detail=(f"{how}: avvist uten kontroll, {attempts.seconds_text(wait)} igjen "
                         "av ventetiden" if wait else f"{how}: ingen innlogging å telle på"))


def _wrong_try(rating: Assessment, staff: User, number: int, what: str, detail: str) -> str:
    """A counted wrong try: audited; the message says when the next try is allowed."""
    delay = attempts.handover_delay(number)
    audit.record("handover_end_failed", person_id=rating.person_id, obj=rating, user=staff,
                 detail=(f"{detail} (feil forsøk nr. {number} på rad"
                         + (f"; neste forsøk om {attempts.seconds_text(delay)})" if delay
                            else ")"))[:1000])
    return (what + (f" Vent {attempts.seconds_text(delay)} før neste forsøk." if delay else "")
            + KEPT)


@bp.route("/egenvurdering/avslutt", methods=["POST"])
def end():
    """Staff take the tablet back: their password, or for an SSO user a fresh login at the
    identity provider (access/reauth.py; the fence lets only its answer through); or a login
    on this page (`login_username` posted: see _end_by_login)."""
    rating = _handover_rating()
    state = session["handover"]
    staff = _staff()
    if "login_username" in request.form:
        return _end_by_login(rating, state, staff)
    form = PasswordConfirmForm()
    if staff.is_sso:
        return reauth.begin(HANDOVER_END, staff, {"rating_id": rating.id},
                            reauth.form_fields(form))
    if not form.validate_on_submit():
        audit.record("handover_end_failed", person_id=rating.person_id, obj=rating, user=staff,
                     detail="uten passord")
        form.password.errors = ["Skriv passordet ditt." + KEPT]
        return _done_page(rating, form=form, status=403)
    digest = sessions.current_digest()
    number, wait = attempts.reserve_handover_try(digest)
    if number is None:
        _refused_early(rating, staff, wait, form.password, "eget passord")
        return _done_page(rating, form=form, status=429 if wait else 403, wait=wait)
    if staff.active and staff.check_password(form.password.data or ""):
        attempts.clear_handover_tries(digest)
        return _end_handover(rating, state, staff, BY_PASSWORD)
    form.password.errors = [_wrong_try(rating, staff, number, "Feil passord.", "feil passord")]
    return _done_page(rating, form=form, status=403)


def _end_by_login(rating: Assessment, state: dict, staff: User):
    """A login on the unlock page ends the hand-over: the same staff member logging in
    afresh, or a colleague of the person's team. User name, password and (for an account
    with two-factor) the one-time code, counted like the password above and never under
    the login lockout. The tablet's old login ends; the one who logged in has it now."""
    form = HandoverLoginForm()
    if not form.validate_on_submit():
        audit.record("handover_end_failed", person_id=rating.person_id, obj=rating, user=staff,
                     detail="innlogging på nettbrettet: skjemaet var ufullstendig")
        return _done_page(rating, login_form=form, status=403)
    typed = form.login_username.data.strip().lower()[:80]
    digest = sessions.current_digest()
    number, wait = attempts.reserve_handover_try(digest)
    if number is None:
        _refused_early(rating, staff, wait, form.login_password,
                       f"innlogging på nettbrettet ({typed})")
        return _done_page(rating, login_form=form, status=429 if wait else 403, wait=wait)
    user = check_credentials(typed, form.login_password.data, form.login_code.data)
    if user is None or not (user.id == staff.id or user.team_id == rating.person.team_id):
        why = "feil brukernavn, passord eller engangskode" if user is None else \
            "ikke i personens team"
        form.login_password.errors = [_wrong_try(
            rating, staff, number,
            "Feil brukernavn, passord eller engangskode, eller ikke ansatt i personens team.",
            f"innlogging på nettbrettet ({typed}): {why}")]
        return _done_page(rating, login_form=form, status=403)
    attempts.clear_handover_tries(digest)
    sessions.end_current()
    session.pop(REAUTH_PENDING, None)
    start_login(user, detail="på nettbrettet, for å avslutte en overlevering")
    how = (BY_FRESH_LOGIN if user.id == staff.id else
           f"av kollega i teamet ({user.username}) ved innlogging; overlevert av {staff.username}")
    return _end_handover(rating, state, user, how)


def _end_handover(rating: Assessment, state: dict, ended_by: User, how: str):
    """Whoever ended it is confirmed: the rating is completed, the tablet is staff's again.
    `how` (own password, fresh login, colleague, provider) goes to the audit log."""
    if not state.get("self_report"):   # a self-report form stays a draft for staff to sign
        ratings.complete(rating, drafts.registry(), now_utc())
    session.pop("handover")
    answered, total = _answered(rating)
    changed = state.get("changed") or []
    if changed:  # the person's answers, by the staff member who handed the tablet over
        audit.record("selfrating_save", person_id=rating.person_id, obj=rating,
                     user=db.session.get(User, state["user_id"]), commit=False,
                     detail=(f"på nettbrettet under overleveringen, {len(changed)} spørsmål "
                             f"endret: {', '.join(changed)}")[:1000])
    detail = how
    if answered < total:
        who = "personen" if state.get("stopped") == "person" else "ansatt"
        detail += f"; avsluttet før alle spørsmål var besvart ({answered} av {total}), av {who}"
    audit.record("handover_end", person_id=rating.person_id, obj=rating, user=ended_by,
                 detail=detail[:1000])
    # A self-report form is not finished when the person hands the tablet back: staff look
    # over the answers and sign it, so the message says where it stands.
    saved = (f"Personens svar på «{drafts.instrument_of(rating).title}» er lagret i utkastet"
             if state.get("self_report") else "Egenvurderingen er lagret")
    flash(saved
          + (f" som ufullstendig ({answered} av {total} spørsmål besvart)"
             if answered < total else "")
          + ". Nettbrettet er tilbake i ansattmodus."
          + (" Se over svarene og signer skjemaet." if state.get("self_report") else ""),
          "success")
    return redirect(url_for("assessments.section", assessment_id=state["return_to"],
                            section_id=_embed_section(state["return_to"])))


def _reauth_confirmed(pending):
    rating = _handover_rating()
    if rating.id != pending["target"]["rating_id"]:
        abort(404)
    return _end_handover(rating, session["handover"], _staff(),
                         f"ved ny innlogging hos {oidc.provider_name()}")


def _reauth_failed(pending):
    rating = _handover_rating()
    audit.record("handover_end_failed", person_id=rating.person_id, obj=rating,
                 user=_staff(), detail="bekreftelsen hos identitetsleverandøren ble avvist")
    return redirect(url_for("selfrating.done", ansatt=1))


reauth.register(HANDOVER_END, "Avslutningen av overleveringen",
                complete=_reauth_confirmed, failed=_reauth_failed)


def _embed_section(kartlegging_id: int) -> str:
    inst = drafts.instrument_of(db.session.get(Assessment, kartlegging_id))
    return next((s.id for s in inst.sections if s.embed == LIVSKVALITET), inst.sections[0].id)


@bp.route("/kartlegginger/<int:assessment_id>/livskvalitet/ansatt", methods=["GET", "POST"])
def staff_entry(assessment_id):
    """Staff register the rating on the person's behalf: marked 'registrert av ansatt'."""
    kartlegging = _rated_assessment(assessment_id)
    inst = drafts.registry().latest(LIVSKVALITET)
    forms = [form_class(inst, s.id)(prefix=s.id) for s in inst.sections]
    if request.method == "GET":
        audit.record("assessment_view", person_id=kartlegging.person_id, obj=kartlegging,
                     detail="livskvalitet registrert av ansatt")
        forms = [form_class(inst, s.id)(prefix=s.id, data=stored_to_formdata(s, {}))
                 for s in inst.sections]
    elif kartlegging.is_signed:
        abort(409)
    elif all(f.validate_on_submit() for f in forms):
        rating = drafts.start(kartlegging.person, current_user, LIVSKVALITET,
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
    return render_template("livskvalitet/staff.html", a=kartlegging, inst=inst,
                           forms=list(zip(inst.sections, forms))), status

