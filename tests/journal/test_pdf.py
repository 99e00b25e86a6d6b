"""Summary PDF: content, embedded fonts, page numbers, PDF/A-2b, rendering."""

import io
import re
import shutil
import struct
import subprocess

import pikepdf
import pytest
from pypdf import PdfReader

from kartlegging.journal.pdf import DOCUMENT_ID_KEY, render
from kartlegging.journal.pdfa import to_pdfa, validate
from pdf_sample import sample_doc


def _tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} mangler: installer poppler-utils (scripts/system-packages.sh)")
    return path


def _pages_text(pdf_bytes):
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf_bytes)).pages]


def _flat(text):
    return " ".join(text.split())


@pytest.fixture(scope="module")
def plain():
    return render(sample_doc())


@pytest.fixture(scope="module")
def pdfa(plain):
    return to_pdfa(plain, title="Kartlegging i Bydel Alna – Kari Nordmann")


def test_text_contains_every_answer(plain):
    doc = sample_doc()
    text = _flat(" ".join(_pages_text(plain)))
    expected = [doc["title"], doc["team"], doc["instrument"], doc["document_id"],
                doc["status_line"], doc["person"]["name"], doc["person"]["number"],
                "Ikke besvart"]
    for section in doc["sections"]:
        expected.append(section["title"])
        for row in section["rows"]:
            expected += [row["label"], row["answer"] or "Ikke besvart"]
            if row.get("comment"):
                expected.append(row["comment"])
    latest = doc["livskvalitet"]["latest"]
    expected += [latest["date"], latest["answered_by"], latest["mean"]]
    expected += [i["text"] for i in latest["items"] + latest["yes_no"]]
    expected += [i["label"] for i in latest["items"] + latest["yes_no"]]
    expected += ["Gjennomsnitt over tid", "01.08.2026", "3,2"]  # chart labels
    for row in doc["vurdering"]["rows"]:
        expected += [row["area"], row["rating_label"] or "Ikke vurdert"]
        if row["comment"]:
            expected.append(row["comment"])
    index = doc["vurdering"]["index"]
    expected += [f"{index['label']}: {index['value']}", index["note"]]
    ip = doc["ip"]
    expected += [ip["prompt"], ip["legal_basis"], *ip["reasons"]]
    expected += [r["label"] for r in ip["rows"]] + ["Ja, 20.11.2026"]
    for box in doc["extra_boxes"]:
        expected.append(box["title"])
        expected += [x for r in box["rows"] for x in (r["label"], r["answer"])]
        if not box["rows"]:
            expected.append(box["empty_text"])
    sig = doc["signature"]
    expected += [f"{sig['name']} ({sig['role']})", sig["signed_at"], sig["content_sha256"]]
    missing = [e for e in expected if _flat(e) not in text]
    assert not missing, f"mangler i PDF-teksten: {missing}"
    assert "Åse Ødegård" in text and "Nokså fornøyd" in text and "æ" in text


def test_page_numbers_on_every_page():
    doc = sample_doc()
    doc["sections"] = doc["sections"] * 6  # long enough for several pages
    pages = _pages_text(render(doc))
    assert len(pages) > 3
    for number, text in enumerate(pages, start=1):
        assert f"Side {number} av {len(pages)}" in text
        assert "Dokument-ID KL-2026-000012-v1" in text and "Kari Nordmann" in text


def test_metadata(plain):
    reader = PdfReader(io.BytesIO(plain))
    meta = reader.metadata
    assert meta.title == "Kartlegging i Bydel Alna"
    assert meta.author == "Rusteam Alna"
    assert "KL-2026-000012-v1" in meta.subject
    assert meta[DOCUMENT_ID_KEY] == "KL-2026-000012-v1"
    assert reader.trailer["/Root"]["/Lang"] == "nb-NO"
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4


@pytest.mark.parametrize("which", ["plain", "pdfa"])
def test_every_font_embedded(which, request, tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(request.getfixturevalue(which))
    out = subprocess.run([_tool("pdffonts"), str(path)], capture_output=True, text=True,
                         check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, out
    for row in rows:
        # columns: name type encoding emb sub uni object ID -> emb is 5th from the end
        assert row.split()[-5] == "yes", f"font not embedded:\n{out}"
    assert "Helvetica" not in out


def test_pdfa_passes_validator(pdfa):
    passed, findings = validate(pdfa)
    assert passed, findings
    with pikepdf.open(io.BytesIO(pdfa)) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        assert meta["dc:title"] == "Kartlegging i Bydel Alna – Kari Nordmann"
        assert str(pdf.Root.Lang) == "nb-NO"
        assert len(pdf.Root.OutputIntents) == 1
        assert "/Producer" not in pdf.docinfo and "/Trapped" not in pdf.docinfo
        assert str(pdf.docinfo[DOCUMENT_ID_KEY]) == "KL-2026-000012-v1"
        assert all("/Trans" not in page.obj for page in pdf.pages)


def test_plain_reportlab_output_is_not_pdfa(plain):
    passed, findings = validate(plain)  # the validator really checks something
    assert not passed and findings


def test_page_one_renders_to_png(pdfa, tmp_path):
    src = tmp_path / "doc.pdf"
    src.write_bytes(pdfa)
    subprocess.run([_tool("pdftoppm"), "-png", "-r", "60", "-f", "1", "-l", "1",
                    "-singlefile", str(src), str(tmp_path / "side1")], check=True)
    png = (tmp_path / "side1.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert abs(width - 496) <= 1 and abs(height - 702) <= 1  # A4 at 60 dpi
    assert len(png) > 20_000  # real content, not a blank page


def test_user_markup_is_escaped():
    doc = sample_doc()
    doc["sections"][0]["title"] = "Familie <i>&"
    doc["sections"][0]["rows"][0] = {"label": "<script>", "answer": "<b>&",
                                     "comment": "a < b && c > d\nny linje"}
    doc["ip"]["reasons"].append("<bullet>&amp;")
    doc["person"]["name"] = "Per <Pål> & Ås"
    text = _flat(" ".join(_pages_text(render(doc))))
    for s in ("Familie <i>&", "<script>", "<b>&", "a < b && c > d", "ny linje", "<bullet>&amp;",
              "Per <Pål> & Ås"):
        assert s in text


def test_very_long_free_text_continues_on_next_page():
    doc = sample_doc()
    doc["sections"][0]["rows"][1]["answer"] = "Lang fritekst om situasjonen. " * 600 + "SLUTT"
    doc["extra_boxes"][0]["rows"][0]["answer"] = "samtykke " * 800 + "FERDIG"
    pages = _pages_text(render(doc))  # a row taller than a page must split, not fail
    text = _flat(" ".join(pages))
    assert len(pages) >= 5 and "SLUTT" in text and "FERDIG" in text
    assert f"Side {len(pages)} av {len(pages)}" in pages[-1]


def test_minimal_unsigned_draft():
    doc = sample_doc()
    doc.update(status_line="Utkast – ikke signert", signature=None, livskvalitet=None,
               vurdering=None, ip=None, extra_boxes=[])
    doc["person"] = {"name": "Ola Uten Nummer", "number": None,
                     "number_note": "Uten fødselsnummer: identitet ikke bekreftet"}
    doc["sections"] = [{"title": "Tom del", "rows": [{"label": "Spørsmål", "answer": None}]}]
    text = _flat(" ".join(_pages_text(render(doc))))
    for s in ("Utkast – ikke signert", "Uten fødselsnummer: identitet ikke bekreftet",
              "Ikke besvart", "ikke signert (utkast)", "Side 1 av 1"):
        assert s in text
    assert "Livskvalitet" not in text and "Individuell plan" not in text


def test_single_history_point_and_missing_values():
    doc = sample_doc()
    lk = doc["livskvalitet"]
    lk["history"] = lk["history"][-1:]
    lk["latest"]["mean"] = None
    for item in lk["latest"]["items"]:
        item.update(value=None, text="Ikke besvart")
    text = _flat(" ".join(_pages_text(render(doc))))
    assert "Gjennomsnitt over tid" not in text and "Siste registrering per område" not in text
    assert re.search(r"Gjennomsnitt \(1–7\) Ikke besvart", text)


def test_missing_icc_profile_gives_clear_error(plain, monkeypatch, tmp_path):
    from kartlegging.journal import pdfa as pdfa_module

    monkeypatch.setattr(pdfa_module, "SRGB_ICC", tmp_path / "mangler.icc")
    pdfa_module._srgb_profile.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="icc-profiles-free"):
            to_pdfa(plain, title="x")
    finally:
        pdfa_module._srgb_profile.cache_clear()
