"""The sign page shows the document the signing locks: an unsigned preview, framed by our own
page only, that changes nothing and is audited as a read."""
import io
import re

from pypdf import PdfReader

from conftest import PASSWORD
from kartlegging.extensions import db
from kartlegging.models import Assessment, AuditEvent


def text_of(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(
        io.BytesIO(data)).pages))


def without_times(text: str) -> str:
    """The signing time and the content hash (which covers it) differ between a preview
    and the signing a minute later; everything else must be the same."""
    text = re.sub(r"\d{2}\.\d{2}\.\d{4} kl\. \d{2}:\d{2}", "<tid>", text)
    return re.sub(r"[0-9a-f]{64}", "<sha>", text)


def test_preview_is_the_pdf_that_is_signed_and_changes_nothing(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(name="Vera Visning", contact=user), user)
    before = (a.version, a.status, a.signed_at, a.content_sha256, a.ip_outcome)
    page = client.get(f"/kartlegginger/{a.id}/signer").get_data(as_text=True)
    src = f"/kartlegginger/{a.id}/signer/forhandsvisning.pdf"
    assert f'<iframe class="pdf-frame" src="{src}"' in page
    assert page.index("pdf-frame") < page.index('name="password"'), "PDF-en står over passordet"

    r = client.get(src)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("inline")
    # framed by this origin only
    assert "frame-ancestors 'self'" in r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" not in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert b"/ByteRange" not in r.data, "forhåndsvisningen er ikke signert"
    # the sign page itself still may not be framed
    assert client.get(f"/kartlegginger/{a.id}/signer").headers["X-Frame-Options"] == "DENY"

    db.session.expire_all()
    stored = db.session.get(Assessment, a.id)
    assert (stored.version, stored.status, stored.signed_at, stored.content_sha256,
            stored.ip_outcome) == before
    reads = db.session.query(AuditEvent).filter_by(
        action="assessment_view", person_id=a.person_id,
        detail="forhåndsvisning av PDF før signering").count()
    assert reads == 1

    preview = text_of(r.data)
    assert "Vera Visning" in preview and user.name in preview
    assert client.post(f"/kartlegginger/{a.id}/signer",
                       data={"password": PASSWORD, "version": a.version}).status_code == 302
    db.session.expire_all()
    signed = db.session.get(Assessment, a.id)
    assert without_times(preview) == without_times(text_of(signed.signed_pdf))


def test_no_preview_of_a_signed_or_another_teams_assessment(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(contact=user), user)
    client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert client.get(f"/kartlegginger/{a.id}/signer/forhandsvisning.pdf").status_code == 409
    other = factory.user("ansatt", team=factory.team_b)
    b = factory.assessment(factory.person(team=factory.team_b), other)
    assert client.get(f"/kartlegginger/{b.id}/signer/forhandsvisning.pdf").status_code == 404
