"""Person views: list/search, register, the person's page, kontaktperson and koordinator."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import attempts, audit
from ..access.guard import team_person
from ..assessments import drafts, latest_scores
from ..clock import today
from ..domain import consent_rules, ip_status
from ..domain.instrument_facts import KARTLEGGING, LIVSKVALITET, reference_day
from ..domain.rules import evaluate
from ..extensions import db
from ..forms.fields import choices
from ..forms.persons import ContactForm, CoordinatorForm, PersonForm, SearchForm
from ..lead import overview  # Mine personer is the team lead's overview, for one contact
from ..livskvalitet.ratings import person_ratings, staff_area_ratings
from . import consents, followup, operations

bp = Blueprint("persons", __name__)
# Numbers that exist already, per user and hour, before registering by number is refused.
DUPLICATE_LIMIT = 5
DUPLICATE_WINDOW_MINUTES = 60
DUPLICATE_THROTTLED = ("Du har prøvd flere numre som allerede er registrert. Vent en time, "
                       "eller kontakt administrator.")


def _user_choices():
    return choices((u.id, f"{u.name} ({u.role_label})")
                   for u in operations.team_users(current_user.team_id))


@bp.route("/")
def index():
    """The start page: search, and Mine personer (the persons I am kontaktperson for)."""
    form = SearchForm(request.args)
    query = form.q.data if form.validate() else None
    if query:
        persons = operations.search(current_user.team_id, query)
        # One more than the list shows means "more": counting them all would read every hit.
        more = len(persons) > operations.SEARCH_LIMIT
        persons = persons[:operations.SEARCH_LIMIT]
        # Render before the audit commit: a commit expires the loaded rows (one query per row).
        page = render_template("persons/index.html", form=form, persons=persons, mine=None,
                               more=more, limit=operations.SEARCH_LIMIT)
        audit.record("person_search", detail=(f"over {len(persons)} treff" if more
                                              else f"{len(persons)} treff"), commit=False)
        # Normen: who saw whom. Every person shown in the list or the hits is logged.
        audit.record_many("person_listed", [p.id for p in persons], detail="søketreff")
        return page
    try:
        page_no = max(1, int(request.args.get("side", "1")))
    except ValueError:
        page_no = 1
    interval = current_app.config["REASSESS_AFTER_DAYS"]
    q = overview.Query(team_id=current_user.team_id, today=today(), interval_days=interval,
                       kontakt=current_user.id, page=min(page_no, 100_000))
    mine = overview.fetch(q)
    if mine.page > mine.pages:
        q.page = mine.pages
        mine = overview.fetch(q)
    team_counts = (overview.summary_counts(current_user.team_id, today(), interval)
                   if current_user.is_lead else None)
    words = ip_status.status_words(drafts.registry().latest(KARTLEGGING))
    page = render_template("persons/index.html", form=form, persons=[], mine=mine,
                           words=words, team_counts=team_counts,
                           count_cap=overview.COUNT_CAP)
    audit.record("my_persons_view", detail=f"{mine.total} personer", commit=False)
    audit.record_many("person_listed", [r.person_id for r in mine.rows], detail="mine personer")
    return page


@bp.route("/personer/ny", methods=["GET", "POST"])
def new():
    form = PersonForm()
    form.kontaktperson.choices = _user_choices()
    if request.method == "GET":
        form.kontaktperson.data = current_user.id
        return render_template("persons/new.html", form=form)
    if form.validate_on_submit():
        ident = form.identity
        if ident and attempts.recent_events("person_duplicate", current_user.id,
                                            DUPLICATE_WINDOW_MINUTES) >= DUPLICATE_LIMIT:
            audit.record("person_duplicate_throttled")
            form.national_id.errors.append(DUPLICATE_THROTTLED)
            return render_template("persons/new.html", form=form), 429
        try:
            person = operations.create_person(
                team_id=current_user.team_id, name=form.name.data,
                national_id=ident.value if ident else None,
                birth_date=ident.birth_date if ident else None,
                no_id_reason=form.no_id_reason.data if not ident else None,
                contact_user_id=form.kontaktperson.data, by=current_user)
        except operations.DuplicatePerson as e:
            # Audited on the person who holds the number: their team's log shows the try.
            audit.record("person_duplicate", person_id=e.person_id)
            form.national_id.errors.append(e.message)
        else:
            audit.record("person_create", person_id=person.id, obj=person)
            # No names in flash messages: they travel in the (readable) session cookie.
            flash("Personen er registrert.", "success")
            return redirect(url_for(".view", person_id=person.id))
    return render_template("persons/new.html", form=form), 422


PERSON_COORDINATOR_NOTICE = (
    "Ingen koordinator er registrert. Personen har rett til koordinator ved behov for "
    "langvarige og koordinerte tjenester (helse- og omsorgstjenesteloven § 7-2). Informer "
    "personen om retten og om hvordan koordinator kan nås.")


def _coordinator_notice(person, latest):
    """The koordinator reminder of the latest kartlegging's own version (v3: when its
    koordinator prompt says "tilby"); otherwise, whenever no koordinator is recorded, the
    general text about the right. An empty or half-filled draft says no less than having no
    kartlegging at all: the right does not wait for the form."""
    if operations.current_coordinator(person.id) is not None:
        return None
    inst = drafts.instrument_of(latest) if latest else None
    if inst is None or not any(d.get("reminder") for d in inst.derived):
        return PERSON_COORDINATOR_NOTICE
    derived = evaluate(inst, latest.answers, reference_day(latest.signed_at, today())).derived
    return next(iter(operations.coordinator_reminders(person.id, inst, list(derived.values()))),
                PERSON_COORDINATOR_NOTICE)


@bp.route("/personer/<int:person_id>")
def view(person_id):
    person = team_person(person_id)
    audit.record("person_view", person_id=person.id, obj=person)
    assessments = drafts.for_person(person.id)
    registry = drafts.registry()
    current = next((a for a in assessments if not a.is_signed), None)
    current_ip = None
    if current:
        current_ip = evaluate(drafts.instrument_of(current), current.answers).derived.get("ip")
    contact = operations.current_contact(person.id)
    contact_form = ContactForm(data={"kontaktperson": contact.user_id if contact else None})
    contact_form.kontaktperson.choices = _user_choices()
    day = today()
    ratings = person_ratings(person.id, registry)
    coordinator = operations.current_coordinator(person.id)
    person_consents = consents.for_person(person.id)
    follow = followup.followup(
        last_signed=person.last_signing, assessments=assessments,
        instrument_of=drafts.instrument_of, coordinator=coordinator,
        consents=person_consents, today=day,
        interval_days=current_app.config["REASSESS_AFTER_DAYS"],
        consent_labels=current_app.extensions["consent_lists"]["parties"])
    return render_template(
        "persons/view.html", person=person, assessments=assessments, current=current,
        current_ip=current_ip, signed=[a for a in assessments if a.is_signed],
        ip_history=[ip_status.describe(a, registry) for a in assessments if a.is_signed],
        contact=contact,
        contacts=operations.contact_history(person.id),
        coordinator=coordinator, followup=follow,
        coordinator_notice=_coordinator_notice(person, current or next(
            (a for a in assessments if a.is_signed), None)),
        contact_form=contact_form, coordinator_form=CoordinatorForm(),
        consents=person_consents, consent_status=consent_rules.status,
        status_labels=consent_rules.STATUS_LABELS, today=day,
        staff_areas=lambda a: staff_area_ratings(a, registry),
        ratings=ratings, chart_points=[(r.date, r.mean) for r in ratings],
        area_points={item_id: [(r.date, r.values.get(item_id)) for r in ratings]
                     for item_id in registry.latest(LIVSKVALITET).items},
        other_forms=_other_forms(person.id),
        latest_scores=latest_scores.latest([person.id]).get(person.id, []),
        registry=registry, resume_section=drafts.resume_section)


def _other_forms(person_id: int) -> list[dict]:
    """"Andre skjema" on the person page: each form, its open draft and its assessments."""
    out = []
    for inst in drafts.other_forms():
        rows = drafts.for_person(person_id, inst.key)
        out.append({"inst": inst, "assessments": rows,
                    "current": drafts.open_draft(person_id, inst.key)})
    return out


@bp.route("/personer/<int:person_id>/kontaktperson", methods=["POST"])
def set_contact(person_id):
    person = team_person(person_id)
    form = ContactForm()
    form.kontaktperson.choices = _user_choices()
    if not form.validate_on_submit():
        message = " ".join(sum(form.errors.values(), [])) or "Ugyldig valg."
        return render_template("error.html", code=422, message=message), 422
    operations.set_contact(person, form.kontaktperson.data, current_user)
    audit.record("contact_set", person_id=person.id, obj=person,
                 detail=f"bruker {form.kontaktperson.data}")
    flash("Fast kontaktperson er endret.", "success")
    return redirect(url_for(".view", person_id=person.id))


@bp.route("/personer/<int:person_id>/koordinator", methods=["POST"])
def set_coordinator(person_id):
    person = team_person(person_id)
    form = CoordinatorForm()
    if not form.validate_on_submit():
        return render_template("persons/coordinator.html", person=person, form=form), 422
    operations.set_coordinator(person, name=form.name.data, service=form.service.data,
                           since=form.since.data, by=current_user)
    audit.record("coordinator_set", person_id=person.id, obj=person)
    db.session.commit()
    flash("Koordinator er registrert.", "success")
    return redirect(url_for(".view", person_id=person.id))
