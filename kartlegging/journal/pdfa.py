"""Convert reportlab output to PDF/A-2b with pikepdf, and check the result.

The output uses a classic xref table (no object streams) so pyHanko can append its
signature as an incremental update, leaving this PDF/A revision byte-identical.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from pikepdf.models.metadata import PdfMetadata

SRGB_ICC = Path("/usr/share/color/icc/sRGB.icc")
# Info keys with an XMP twin; other (custom) keys stay in Info only and are not copied
_STANDARD_INFO_KEYS = {str(name) for _, _, name, _ in PdfMetadata.DOCINFO_MAPPING}


@lru_cache(maxsize=1)
def _srgb_profile() -> bytes:
    try:
        return SRGB_ICC.read_bytes()
    except OSError as e:
        raise RuntimeError(
            f"Fant ikke ICC-profilen {SRGB_ICC} som PDF/A krever; "
            "installer Debian-pakken icc-profiles-free (apt-get install icc-profiles-free)"
        ) from e


def to_pdfa(pdf_bytes: bytes, *, title: str, lang: str = "nb-NO") -> bytes:
    """Return pdf_bytes as PDF/A-2b: XMP + pdfaid, sRGB OutputIntent, /Lang, no /Trans."""
    icc_data = _srgb_profile()
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        info = pdf.docinfo
        info[Name.Title] = title
        # /Trapped has no clean XMP twin; without /Producer now, pyHanko later writes the same
        # Producer to Info and XMP (otherwise Info gets "<old>; pyHanko", XMP only "pyHanko")
        for key in (Name.Trapped, Name.Producer):
            if key in info:
                del info[key]
        for key in list(info.keys()):
            if str(info[key]) == "":
                del info[key]
        standard = {k: v for k, v in info.items() if k in _STANDARD_INFO_KEYS}
        # set_pikepdf_as_editor=False: pikepdf would otherwise set its own Producer
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
            meta.load_from_docinfo(standard)
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"

        icc = pdf.make_stream(icc_data)
        icc.N = 3
        icc.Alternate = Name.DeviceRGB
        intent = Dictionary(Type=Name.OutputIntent, S=Name.GTS_PDFA1,
                            OutputConditionIdentifier=String("sRGB IEC61966-2.1"),
                            Info=String("sRGB IEC61966-2.1"),
                            RegistryName=String("http://www.color.org"),
                            DestOutputProfile=icc)
        pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])
        for page in pdf.pages:  # reportlab writes an empty /Trans <<>> on every page
            if Name.Trans in page.obj:
                del page.obj[Name.Trans]
        pdf.Root.Lang = String(lang)
        pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)

        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                 fix_metadata_version=True)
    return out.getvalue()


def validate(pdf_bytes: bytes) -> tuple[bool, list[str]]:
    """Check an unsigned file with pikepdf's allow-list PDF/A-2b validator.

    An approval is trustworthy; a finding may be a false alarm. It is a strong check, not
    a veraPDF certification. Signed files come back "not checked" (AcroForm, /ESIC).
    """
    from pikepdf import pdfa  # needs the pikepdf[pdfa] extra

    report = pdfa.validate_written(io.BytesIO(pdf_bytes), "2b")
    return bool(report.passed), [str(f) for f in report.findings]
