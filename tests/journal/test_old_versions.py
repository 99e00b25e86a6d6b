"""Published instrument versions stay as they were: files, prompts, screens and printouts.

alna-kartlegging v1–v3 and livskvalitet v1–v2 are frozen: their files keep the committed
sha256, and a signed record of each Alna version renders (its section pages: answers and
prompts) and prints (the text of the PDF summary) exactly as the committed golden files in
tests/journal/golden/, each written by the code before the next version existed (v1 and v2
before v3, v3 before v4). (If the PDF layout itself is reworked on purpose, rewrite them with
`pytest tests/journal/test_old_versions.py --write-golden` and review the diff.)
"""
import hashlib
import io
import re
from datetime import datetime
from pathlib import Path

import pytest

from factories import fnr
from kartlegging.domain.rules import evaluate
from kartlegging.extensions import db
from kartlegging.journal import pdf, summary

ROOT = Path(__file__).parents[2]
GOLDEN = Path(__file__).parent / "golden"
FROZEN_FILES = {
    "alna-kartlegging.v1.yaml": "eaa5ea488e43b84526d96c0ab9fe2df636d497874a108e52b44244129f05e492",
    "alna-kartlegging.v2.yaml": "182b5fa1698bcddf3ef447be1d59eaebbf136adee29f33ce4aaf6c3d98e9e879",
    "alna-kartlegging.v3.yaml": "5345df0afc423e834de814003c55b6dd92305e195c5ba04b575117ba263731af",
    "livskvalitet.v1.yaml": "84e0b3e6ba6590a7093932749ec38a818ad19d628c4b940efca4d1ed8d963a13",
    "livskvalitet.v2.yaml": "7d317a1549d825c1daba633e1e548839c1c90828227304d10929b5ad51ab4178",
}
# The livskvalitet version each Alna version was signed with in its time.
RATING_VERSION = {1: 1, 2: 1, 3: 2}


def sha256(name: str) -> str:
    return hashlib.sha256((ROOT / "instruments" / name).read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(FROZEN_FILES))
def test_published_files_are_byte_identical(name):
    assert sha256(name) == FROZEN_FILES[name]


def _signed(factory, user, version, rating_version=1):
    person = factory.person(name=f"Ola Versjon{version}", contact=user,
                            national_id=fnr(day=2, month=3, year=75, individ=200 + version))
    a = factory.assessment(person, user, version=version, langvarig_behov="ja",
                           ip_var_vurdering="ja", ip_tilbudt="ja", ip_svar="takket_ja")
    r = factory.rating(a, user, version=rating_version)
    r.completed_at = datetime(2026, 11, 2, 9, 30)
    a.status, a.signed_by_id = "signed", user.id
    a.signed_at = datetime(2026, 11, 2, 10, 0)
    a.ip_outcome = evaluate(factory.app.extensions["instruments"].get(
        a.instrument_key, a.instrument_version), a.answers).derived["ip"].outcome
    db.session.commit()
    return a


def _printed(a, app) -> str:
    from pypdf import PdfReader
    context = {"consents": [], "kontaktperson": "Ansatt Test", "koordinator": None}
    raw = pdf.render(summary.build(a, context, app.extensions["instruments"]))
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(raw)).pages)


def _panels(client, a, app) -> str:
    inst = app.extensions["instruments"].get(a.instrument_key, a.instrument_version)
    out = []
    for s in inst.sections:
        html = client.get(f"/kartlegginger/{a.id}/del/{s.id}").data.decode()
        # The record itself: title, answers and prompts (not navigation or notices around it).
        parts = re.findall(r'<h1>.*?</h1>|<dl class="answers">.*?</dl>|<section class="prompt.*?</section>',
                           html, flags=re.S)
        out.append("\n".join(re.sub(r"\n\s*\n", "\n", p) for p in parts))
    return "\n".join(out)


@pytest.mark.parametrize("version", [1, 2, 3])
def test_signed_record_renders_and_prints_as_before(app, factory, login, version, request):
    user = factory.user("ansatt", username="golden", name="Ansatt Test")
    a = _signed(factory, user, version, RATING_VERSION[version])
    printed = _printed(a, app)
    shown = _panels(login(user), a, app)
    files = {f"alna-v{version}.pdf.txt": printed, f"alna-v{version}.pages.html": shown}
    for name, text in files.items():
        path = GOLDEN / name
        if request.config.getoption("--write-golden"):
            path.write_text(text, encoding="utf-8")
        assert text == path.read_text(encoding="utf-8"), name
