"""Samtykke views: register, view, withdraw (nothing is deleted). Views only."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import audit
from ..access.guard import safe_local_path, team_person
from ..clock import now_utc, today
from ..domain import consent_rules
from ..extensions import db
from ..forms.consent import ConsentForm, WithdrawForm
from ..forms.fields import choices
from ..models import Consent
from . import consents

bp = Blueprint("consent", __name__)


def _form() -> ConsentForm:
    lists = consents.lists()
    form = ConsentForm()
    form.categories.choices = choices(lists["categories"].items())
    form.party_kind.choices = choices([("", "Velg …")] + list(lists["parties"].items()))
    return form


@bp.route("/personer/<int:person_id>/samtykker/ny", methods=["GET", "POST"])
def new(person_id):
    person = team_person(person_id)
    form = _form()
    if request.method == "GET":
        audit.record("person_view", person_id=person.id, obj=person, detail="nytt samtykke")
        form.valid_from.data = today()
        form.party_kind.data = request.args.get("part")
        return render_template("persons/consent_new.html", person=person, form=form,
                               back=_safe_back())
    if not form.validate_on_submit():
        return render_template("persons/consent_new.html", person=person, form=form,
                               back=_safe_back()), 422
    consent = Consent(
        person_id=person.id, categories=form.categories.data or [],
        categories_text=(form.categories_text.data or "").strip() or None,
        direction=form.direction.data, party_kind=form.party_kind.data,
        party_name=(form.party_name.data or "").strip() or None,
        party_relation=(form.party_relation.data or "").strip() or None,
        valid_from=form.valid_from.data,
        valid_until=None if form.until_withdrawn.data else form.valid_until.data,
        given_how=form.given_how.data, recorded_by_id=current_user.id)
    db.session.add(consent)
    db.session.flush()
    audit.record("consent_create", person_id=person.id, obj=consent)
    flash("Samtykket er registrert.", "success")
    return redirect(_safe_back() or url_for("persons.view", person_id=person.id))


def _safe_back() -> str | None:
    return safe_local_path(request.args.get("tilbake"))


def _team_consent(consent_id: int) -> Consent:
    consent = db.session.get(Consent, consent_id) or abort(404)
    team_person(consent.person_id)
    return consent


def _render(consent: Consent, form: WithdrawForm, code: int = 200):
    return render_template(
        "persons/consent_view.html", consent=consent, person=team_person(consent.person_id),
        status=consent_rules.status(consent, today()), labels=consent_rules.STATUS_LABELS,
        form=form, text=consents.describe_with_labels(consent)), code


@bp.route("/samtykker/<int:consent_id>")
def view(consent_id):
    consent = _team_consent(consent_id)
    audit.record("person_view", person_id=consent.person_id, obj=consent)
    return _render(consent, WithdrawForm(data={"withdrawn_on": today()}))


@bp.route("/samtykker/<int:consent_id>/trekk-tilbake", methods=["POST"])
def withdraw(consent_id):
    consent = _team_consent(consent_id)
    form = WithdrawForm()
    if consent.withdrawn_on is not None:
        return render_template("error.html", code=409,
                               message="Samtykket er allerede trukket tilbake."), 409
    if not form.validate_on_submit() or form.withdrawn_on.data < consent.valid_from:
        if not form.errors:
            form.withdrawn_on.errors = ["Datoen kan ikke være før samtykket begynte å gjelde."]
        return _render(consent, form, 422)
    consent.withdrawn_on = form.withdrawn_on.data
    consent.withdrawn_at = now_utc()
    consent.withdrawn_by_id = current_user.id
    audit.record("consent_withdraw", person_id=consent.person_id, obj=consent)
    flash("Samtykket er trukket tilbake. Det vises fortsatt i historikken.", "success")
    return redirect(url_for("persons.view", person_id=consent.person_id))
