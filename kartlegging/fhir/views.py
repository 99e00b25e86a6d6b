"""FHIR pages: Questionnaire downloads (admin), a signed kartlegging as a Bundle, and the
import of a QuestionnaireResponse as a new draft. Views only."""
import json
import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import TextAreaField

from ..access import audit
from ..access.guard import role_required, team_person
from ..assessments import drafts
from ..assessments.views import team_assessment
from ..forms.base import Form
from . import operations

bp = Blueprint("fhir", __name__)
FHIR_JSON = "application/fhir+json"
_REF = re.compile(r"^([a-z][a-z0-9-]*)\.v(\d+)$")


def _json_download(resource: dict, filename: str) -> Response:
    body = json.dumps(resource, ensure_ascii=False, indent=2)
    return Response(body, mimetype=FHIR_JSON, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/fhir/skjemaer")
@role_required("admin")
def questionnaires():
    instruments = sorted(drafts.registry(), key=lambda i: (i.key, i.version))
    return render_template("fhir/questionnaires.html", instruments=instruments,
                           base=operations.base())


@bp.route("/fhir/skjemaer/<ref>.json")
@role_required("admin")
def questionnaire(ref):
    m = _REF.match(ref)
    if not m:
        abort(404)
    try:
        resource = operations.questionnaire(m.group(1), int(m.group(2)))
    except KeyError:
        abort(404)
    return _json_download(resource, f"{ref}.questionnaire.json")


@bp.route("/kartlegginger/<int:assessment_id>/fhir")
def export(assessment_id):
    a = team_assessment(assessment_id)
    if not a.is_signed:
        return render_template("error.html", code=409, message=(
            "Bare signerte kartlegginger kan eksporteres som FHIR. Signer kartleggingen "
            "først.")), 409
    resource = operations.export_bundle(a)
    audit.record("fhir_export", person_id=a.person_id, obj=a,
                 detail=f"FHIR Bundle {a.document_id}")
    return _json_download(resource, a.document_filename.replace(".pdf", ".fhir.json"))


class ImportForm(Form):
    file = FileField("Fil (JSON)")
    text = TextAreaField("… eller lim inn JSON")


@bp.route("/personer/<int:person_id>/fhir-import", methods=["GET", "POST"])
def import_response(person_id):
    person = team_person(person_id)
    form = ImportForm()
    known = operations.fillable()
    if form.is_submitted():
        problems = []
        if not form.validate():
            problems = ["Skjemaet ble ikke sendt riktig. Last siden på nytt og prøv igjen."]
        upload = form.file.data
        raw = upload.read() if upload and getattr(upload, "filename", "") else None
        raw = raw if raw else (form.text.data or "").strip()
        if not problems and not raw:
            problems = ["Velg en fil eller lim inn en QuestionnaireResponse som JSON."]
        if not problems:
            try:
                a = operations.import_response(person, operations.parse_json(raw),
                                               current_user)
            except operations.ImportRefused as e:
                problems = e.problems
            else:
                audit.record("fhir_import", person_id=person.id, obj=a,
                             detail=f"QuestionnaireResponse → {a.instrument_key} "
                                    f"versjon {a.instrument_version}")
                flash("Svarene er importert som et nytt utkast. Se over før du signerer.",
                      "success")
                return redirect(url_for("assessments.overview", assessment_id=a.id))
        return render_template("fhir/import.html", person=person, form=form, known=known,
                               base=operations.base(), problems=problems), 422
    audit.record("person_view", person_id=person.id, obj=person, detail="FHIR-import")
    return render_template("fhir/import.html", person=person, form=form, known=known,
                           base=operations.base(), problems=[])
