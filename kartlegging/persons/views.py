"""Person views: list/search, register, the person's page, kontaktperson and koordinator."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import audit
from ..access.guard import team_person
from ..assessments import drafts
from ..clock import today
from ..domain import consent_rules, ip_status
from ..domain.rules import evaluate
from ..extensions import db
from ..forms.fields import choices
from ..forms.persons import ContactForm, CoordinatorForm, PersonForm, SearchForm
from ..livskvalitet.ratings import person_ratings, staff_area_ratings
from . import consents, operations

bp = Blueprint("persons", __name__)


def _user_choices():
    return choices((u.id, f"{u.name} ({u.role_label})")
                   for u in operations.team_users(current_user.team_id))


@bp.route("/")
def index():
    form = SearchForm(request.args)
    query = form.q.data if form.validate() else None
    persons = operations.search(current_user.team_id, query)
    if query:
        audit.record("person_search", detail=f"{len(persons)} treff")
    return render_template("persons/index.html", form=form, persons=persons)


@bp.route("/personer/ny", methods=["GET", "POST"])
def new():
    form = PersonForm()
    form.kontaktperson.choices = _user_choices()
    if request.method == "GET":
        form.kontaktperson.data = current_user.id
        return render_template("persons/new.html", form=form)
    if form.validate_on_submit():
        ident = form.identity
        try:
            person = operations.create_person(
                team_id=current_user.team_id, name=form.name.data,
                national_id=ident.value if ident else None,
                birth_date=ident.birth_date if ident else None,
                no_id_reason=form.no_id_reason.data if not ident else None,
                contact_user_id=form.kontaktperson.data, by=current_user)
        except operations.DuplicatePerson as e:
            form.national_id.errors.append(str(e))
        else:
            audit.record("person_create", person_id=person.id, obj=person)
            flash(f"{person.name} er registrert.", "success")
            return redirect(url_for(".view", person_id=person.id))
    return render_template("persons/new.html", form=form), 422


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
    return render_template(
        "persons/view.html", person=person, assessments=assessments, current=current,
        current_ip=current_ip, signed=[a for a in assessments if a.is_signed],
        ip_history=[ip_status.describe(a, registry) for a in assessments if a.is_signed],
        contact=contact,
        contacts=operations.contact_history(person.id),
        coordinator=operations.current_coordinator(person.id),
        contact_form=contact_form, coordinator_form=CoordinatorForm(),
        consents=consents.for_person(person.id), consent_status=consent_rules.status,
        status_labels=consent_rules.STATUS_LABELS, today=day,
        staff_areas=lambda a: staff_area_ratings(a, registry),
        ratings=ratings, chart_points=[(r.date, r.mean) for r in ratings],
        area_points={item_id: [(r.date, r.values.get(item_id)) for r in ratings]
                     for item_id in registry.latest("livskvalitet").items},
        registry=registry, resume_section=drafts.resume_section)


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
