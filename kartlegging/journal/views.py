"""Sign, download the signed PDF, make a correction, verify an uploaded PDF. Views only."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.file import FileField

from ..access import audit, reauth
from ..access.guard import role_required
from ..access.login import confirm_password
from ..assessments import drafts
from ..assessments.views import team_assessment
from ..domain.rules import problems
from ..forms.auth import SignForm
from ..forms.base import Form
from . import archive, pades, signing

bp = Blueprint("signing", __name__)
SIGN = "sign"  # the re-authentication action (access/reauth.py)


SIGN_CONFLICT = ("Noen har lagret endringer i denne kartleggingen etter at du åpnet "
                 "signeringen. Den er ikke signert. Se over svarene, og signer på nytt.")
BAD_VERSION = "Skjemaet mangler hvilken versjon du signerer. Last siden på nytt og prøv igjen."


@bp.route("/kartlegginger/<int:assessment_id>/signer", methods=["GET", "POST"])
def sign(assessment_id):
    """Signing re-asks who signs: a local user's password, or for an SSO user a fresh
    login at the identity provider (access/reauth.py), which then signs here the same way.
    The form carries the version the signer saw: a save since then stops the signing."""
    a = team_assessment(assessment_id)
    if a.is_signed:
        return render_template("error.html", code=409, message=drafts.Locked.message), 409
    form = SignForm()
    found = problems(drafts.instrument_of(a), a.answers)
    if request.method == "GET":
        audit.record("assessment_view", person_id=a.person_id, obj=a, detail="signering")
        if current_user.is_sso:
            reauth.prepare_page()
        failure = reauth.take_failure(SIGN, {"assessment_id": a.id})
        if failure:
            form = SignForm(formdata=None, data=failure["fields"])
        else:
            form.version.data = a.version
        return render_template("journal/sign.html", a=a, form=form, problems=found,
                               reauth_error=failure and failure["message"]
                               ), 403 if failure else 200
    expected = _version(form.version.data)
    if expected is False:
        return render_template("journal/sign.html", a=a, form=form, problems=found,
                               conflict=BAD_VERSION), 400
    if expected is not None and expected != a.version:
        return _conflict(a)
    if found:
        return render_template("journal/sign.html", a=a, form=form, problems=found), 422
    if current_user.is_sso:
        return reauth.begin(SIGN, current_user, {"assessment_id": a.id},
                            reauth.form_fields(form))
    problem = (confirm_password(current_user, form.password.data) if form.validate_on_submit()
               else "Skriv passordet ditt.")
    if problem:
        form.password.errors = [f"{problem} Kartleggingen er ikke signert."]
        return render_template("journal/sign.html", a=a, form=form, problems=found), 403
    return _sign_confirmed_assessment(a, expected)


@bp.route("/kartlegginger/<int:assessment_id>/signer/forhandsvisning.pdf")
def sign_preview(assessment_id):
    """The PDF the signing will lock, unsigned, shown in the sign page's frame (same origin
    only). Nothing is stored; the read is audited like the sign page's."""
    a = team_assessment(assessment_id)
    if a.is_signed:
        return render_template("error.html", code=409, message=drafts.Locked.message), 409
    from .preview import unsigned_pdf  # here, not at the top: the import block is shared
    data = unsigned_pdf(a, current_user.record)
    audit.record("assessment_view", person_id=a.person_id, obj=a,
                 detail="forhåndsvisning av PDF før signering")
    resp = Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": 'inline; filename="forhandsvisning-ikke-signert.pdf"'})
    resp.frame_same_origin = True  # access/headers.py: framed by our own sign page only
    return resp


def _version(text) -> int | None | bool:
    """The version the signer saw: None when the form has none (then the one loaded now
    is guarded), False when it is not a number."""
    if text in (None, ""):
        return None
    try:
        return int(text)
    except (TypeError, ValueError):
        return False


def _conflict(a):
    audit.record("assessment_conflict", person_id=a.person_id, obj=a, detail="signering")
    form = SignForm(formdata=None, data={"version": a.version})
    return render_template("journal/sign.html", a=a, form=form, conflict=SIGN_CONFLICT,
                           problems=problems(drafts.instrument_of(a), a.answers)), 409


def _sign_confirmed_assessment(a, expected_version=None):
    """Sign once the signer is confirmed (password or re-authentication)."""
    try:
        signing.sign(a, current_user.record, expected_version=expected_version)
    except signing.NotArchivable as e:
        return render_template("error.html", code=422, message=e.message), 422
    except archive.ArchiveUnavailable as e:
        return render_template("error.html", code=503, message=e.message), 503
    except drafts.Locked:
        return render_template("error.html", code=409, message=drafts.Locked.message), 409
    except drafts.Conflict as e:
        return _conflict(e.current)
    audit.record("assessment_sign", person_id=a.person_id, obj=a)
    flash("Kartleggingen er signert og låst. Den signerte PDF-en er klar.", "success")
    return redirect(url_for("assessments.overview", assessment_id=a.id))


def _reauth_confirmed(pending):
    a = team_assessment(pending["target"]["assessment_id"])
    if a.is_signed:
        return render_template("error.html", code=409, message=drafts.Locked.message), 409
    expected = _version((pending.get("fields") or {}).get("version"))
    if expected is not False and expected is not None and expected != a.version:
        return _conflict(a)
    if problems(drafts.instrument_of(a), a.answers):  # changed meanwhile: the list shows why
        return redirect(url_for("signing.sign", assessment_id=a.id))
    return _sign_confirmed_assessment(a, None if expected is False else expected)


def _reauth_failed(pending):
    return redirect(url_for("signing.sign", assessment_id=pending["target"]["assessment_id"]))


reauth.register(SIGN, "Signeringen", complete=_reauth_confirmed, failed=_reauth_failed)


@bp.route("/kartlegginger/<int:assessment_id>/pdf")
def pdf(assessment_id):
    a = team_assessment(assessment_id)
    if not a.is_signed:
        return render_template("error.html", code=409,
                               message="PDF lages når kartleggingen signeres."), 409
    audit.record("pdf_download", person_id=a.person_id, obj=a)
    return Response(a.signed_pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{a.document_filename}"'})


@bp.route("/kartlegginger/<int:assessment_id>/rettelse", methods=["POST"])
def correct(assessment_id):
    a = team_assessment(assessment_id)
    if not a.is_signed:
        return render_template("error.html", code=409,
                               message="Et utkast rettes ved å endre det direkte."), 409
    try:
        new = signing.correct(a, current_user)
    except signing.AlreadyCorrected as e:
        old = e.existing
        state = "signert" if old.is_signed else "et utkast"
        return render_template(
            "error.html", code=409,
            message=f"{a.document_id} er allerede rettet: rettelsen {old.document_id} er {state}. "
                    "Det lages ikke en ny rettelse.",
            link=(url_for("assessments.overview", assessment_id=old.id),
                  f"Åpne {old.document_id}")), 409
    audit.record("assessment_correct", person_id=a.person_id, obj=new,
                 detail=f"retter {a.document_id}")
    flash(f"Rettelse opprettet. Den erstatter {a.document_id} når den signeres; "
          "den gamle beholdes.", "success")
    return redirect(url_for("assessments.overview", assessment_id=new.id))


class UploadForm(Form):
    file = FileField("PDF-fil")


@bp.route("/verifiser", methods=["GET", "POST"])
@role_required("teamleder", "admin")
def verify():
    form = UploadForm()
    if request.method == "GET":
        return render_template("journal/verify.html", form=form)
    if not form.validate_on_submit() or not form.file.data:
        form.file.errors = ["Velg en PDF-fil å kontrollere."]
        return render_template("journal/verify.html", form=form), 400
    data = form.file.data.read()
    result = pades.verify_pdf(data, signing.trust_roots())
    match = None
    if result.document_id:
        match = signing.find_document(result.document_id, current_user.team_id)
    audit.record("pdf_verify", person_id=match.person_id if match else None, obj=match,
                 detail="gyldig" if result.ok else "; ".join(result.errors))
    return render_template("journal/verify.html", form=form, result=result, match=match,
                           same_bytes=bool(match and match.signed_pdf == data)), \
        200 if result.signed else 422
