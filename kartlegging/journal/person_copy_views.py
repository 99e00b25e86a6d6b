"""«Din kartlegging»: staff open the person's own copy of a signed kartlegging to print it or
to download it for the person (pbrl. § 5-1). Each copy made is an audit row: that the person
was handed their copy, and in which language."""
from flask import Blueprint, Response, current_app, render_template, request

from ..access import audit
from ..assessments import drafts
from ..assessments.views import team_assessment
from . import person_copy, person_copy_pdf

bp = Blueprint("person_copy", __name__)


def _spec():
    return current_app.extensions["person_copy"]


@bp.app_template_global()
def person_copy_available(a) -> bool:
    """Whether a «Din kartlegging» can be made of `a` (signed, a form the copy knows)."""
    return person_copy.available(a, _spec())


def _signed(assessment_id: int):
    """(the signed kartlegging, its copy) or (it, the refusal page)."""
    a = team_assessment(assessment_id)
    if _spec().of(a.instrument_key) is None:
        return a, (render_template("error.html", code=404,
                                   message="Dette skjemaet har ingen kopi til personen."), 404)
    if not a.is_signed:
        return a, (render_template("error.html", code=409,
                                   message="«Din kartlegging» lages av en signert kartlegging."),
                   409)
    return a, person_copy.build(a, drafts.registry(), current_app.extensions["translations"],
                                _spec())


@bp.route("/kartlegginger/<int:assessment_id>/din-kartlegging")
def page(assessment_id):
    a, doc = _signed(assessment_id)
    if isinstance(doc, tuple):
        return doc
    audit.record("assessment_view", person_id=a.person_id, obj=a,
                 detail="«Din kartlegging»: siden for utskrift")
    return render_template("journal/person_copy.html", a=a, doc=doc)


@bp.route("/kartlegginger/<int:assessment_id>/din-kartlegging.pdf")
def pdf(assessment_id):
    a, doc = _signed(assessment_id)
    if isinstance(doc, tuple):
        return doc
    data = person_copy_pdf.render(doc)
    download = request.args.get("last_ned") == "1"
    languages = " og ".join(["bokmål"] + ([doc["language_name"]] if doc["language_name"]
                                          else []))
    audit.record("person_copy", person_id=a.person_id, obj=a,
                 detail=f"«Din kartlegging» {'lastet ned' if download else 'åpnet for utskrift'}"
                        f", på {languages}")
    name = f"din-kartlegging-{a.signed_at:%Y-%m-%d}.pdf"
    disposition = "attachment" if download else "inline"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'{disposition}; filename="{name}"'})
