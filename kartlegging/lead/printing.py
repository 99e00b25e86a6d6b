"""Printing for the team lead: one merged PDF behind a cover page, or a ZIP of the originals.

The merged file is for reading and printing only: it is built with pypdf from the stored signed
bytes, and its cover says that the signatures are valid only in the original files. The ZIP
holds the stored bytes unchanged. No job queue: the merge runs inside a streamed response that
reports its progress (views.print_pdf), and the result is written, chunk by chunk as it is made,
into a print job in the database (print_jobs.py), bound to the user and removed after its one
download or expiry, so any app instance can hand it over.
"""
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select

from ..clock import oslo_datetime
from ..domain import csv_export
from ..domain.due import start_of_day_utc
from ..domain.instrument_facts import KARTLEGGING
from ..extensions import db
from ..journal.pdf import BOLD, FONT
from ..journal.pdf_paragraph import RichParagraph
from ..models import Assessment, Person
from . import print_jobs
from .pdf_concat import StreamingPdf

SIGNATURE_NOTE = ("Signaturene er bare gyldige i originalfilene. Denne filen er en sammenslått "
                  "kopi for lesing og utskrift: den elektroniske signaturen på hver kartlegging "
                  "gjelder bare den opprinnelige PDF-filen i journalen (last ned originalene "
                  "som ZIP fra Oppfølging).")


@dataclass
class Item:
    """One selected person and the document printed for them (None: nothing signed)."""
    person_id: int
    person_name: str
    assessment_id: int | None
    document_id: str | None       # "KL-000004, versjon 2", as in the document
    file_stem: str | None         # "KL-000004-versjon-2", as in its download name
    signed_at: datetime | None
    pages: int = 0
    problem: str | None = None


def _latest_signed(team_id: int, person_ids: list[int] | None = None,
                   signed_from: datetime | None = None):
    """(person id, name, assessment id, version, signed_at) of each person's last signed
    kartlegging (one query), optionally only if it was signed at or after `signed_from`."""
    a = Assessment
    latest = (select(a.person_id, a.id, a.version, a.signed_at)
              .add_columns(db.func.row_number().over(
                  partition_by=a.person_id, order_by=[a.signed_at.desc(), a.id.desc()])
                           .label("rn"))
              .join(Person, Person.id == a.person_id)
              .where(Person.team_id == team_id, a.instrument_key == KARTLEGGING,
                     a.status == "signed")).subquery()
    stmt = (select(Person.id, Person.name, latest.c.id, latest.c.version, latest.c.signed_at)
            .outerjoin(latest, (latest.c.person_id == Person.id) & (latest.c.rn == 1))
            .where(Person.team_id == team_id))
    if person_ids is not None:
        stmt = stmt.where(Person.id.in_(person_ids))
    if signed_from is not None:
        stmt = stmt.where(latest.c.signed_at >= signed_from)
    return db.session.execute(stmt.order_by(latest.c.signed_at, Person.name)).all()


def _item(row) -> Item:
    pid, name, aid, _version, signed_at = row
    doc = db.session.get(Assessment, aid) if aid else None  # its id walks the correction chain
    return Item(person_id=pid, person_name=name, assessment_id=aid, signed_at=signed_at,
                document_id=doc.document_id if doc else None,
                file_stem=doc.document_filename.removesuffix(".pdf") if doc else None)


def items_for(team_id: int, person_ids: list[int]) -> list[Item]:
    """The selected persons of the team, in the order given; unknown ids are left out."""
    by_id = {r[0]: _item(r) for r in _latest_signed(team_id, person_ids)}
    seen, out = set(), []
    for pid in person_ids:
        if pid in by_id and pid not in seen:
            seen.add(pid)
            out.append(by_id[pid])
    return out


def items_signed_since(team_id: int, day: date) -> list[Item]:
    """Persons whose last signed kartlegging was signed on or after `day` (Oslo), oldest first."""
    return [_item(r) for r in _latest_signed(team_id, signed_from=start_of_day_utc(day))]


def signed_bytes(assessment_id: int) -> bytes | None:
    return db.session.scalar(select(Assessment.signed_pdf).where(
        Assessment.id == assessment_id))


# ---------------------------------------------------------------------- merged PDF

def merge(items: list[Item], *, team: str, printed_by: str, now: datetime, user_id: int):
    """Generator: yields each item as it is read and written, then the print job's download
    token (a str, last; the job is committed then).

    One stored document is read at a time and written straight into the job, so neither memory
    nor the time to the first progress line grows with the number of documents.
    """
    job = print_jobs.Writer(user_id)
    pdf = StreamingPdf(job.write)
    for item in items:
        if item.assessment_id is not None:
            try:
                item.pages = pdf.add(signed_bytes(item.assessment_id) or b"")
            except (PyPdfError, ValueError, OSError, KeyError, TypeError):
                item.problem = "Den lagrede filen kunne ikke leses og er ikke med."
        yield item
    pdf.add(cover(items, team=team, printed_by=printed_by, now=now), front=True)
    yield job.finish(pdf.finish("Utskrift av signerte kartlegginger (ikke signert kopi)"))


def count_pages(items: list[Item], *, team: str, printed_by: str, now: datetime) -> int:
    """Reads each stored file the way merge() does, setting its pages (or its problem), and
    returns the cover's own page count: a preview says how long the print will be before
    the merged file is built."""
    for item in items:
        if item.assessment_id is not None:
            try:
                item.pages = len(PdfReader(io.BytesIO(signed_bytes(item.assessment_id)
                                                      or b"")).pages)
            except (PyPdfError, ValueError, OSError):
                item.problem = "Den lagrede filen kunne ikke leses og er ikke med."
    return len(PdfReader(io.BytesIO(cover(items, team=team, printed_by=printed_by,
                                          now=now))).pages)


def cover(items: list[Item], *, team: str, printed_by: str, now: datetime) -> bytes:
    """The cover page(s): what the file holds, in order, and that it carries no valid
    signature."""
    h1 = ParagraphStyle("h1", fontName=BOLD, fontSize=16, leading=20, spaceAfter=6)
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13)
    warn = ParagraphStyle("warn", parent=body, fontName=BOLD, fontSize=11, leading=15,
                          borderColor="#8a1c1c", borderWidth=1.2, borderPadding=6,
                          spaceBefore=6, spaceAfter=10)
    included = [i for i in items if i.pages]
    # User text (team, names) only through RichParagraph, which shows markup in it as
    # typed: a team named "<b>" must not break the print, nor a person's name style the page.
    story = [Paragraph("Utskrift av signerte kartlegginger", h1),
             RichParagraph(f"{team} · skrevet ut av {printed_by} {oslo_datetime(now)}", body),
             Spacer(1, 4 * mm),
             Paragraph(SIGNATURE_NOTE, warn),
             Paragraph(f"Filen inneholder {len(included)} kartlegging"
                       f"{'er' if len(included) != 1 else ''}, i denne rekkefølgen:", body),
             Spacer(1, 3 * mm)]
    rows = [["Nr.", "Person", "Dokument", "Signert", "Sider"]]
    n = 0
    for item in items:
        if item.pages:
            n += 1
            rows.append([str(n), RichParagraph(item.person_name, body), item.document_id,
                         oslo_datetime(item.signed_at), str(item.pages)])
        else:
            rows.append(["–", RichParagraph(item.person_name, body),
                         RichParagraph(item.problem or "Ingen signert kartlegging", body), "",
                         ""])
    table = Table(rows, colWidths=[12 * mm, 62 * mm, 42 * mm, 40 * mm, 14 * mm], repeatRows=1)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
                               ("FONTNAME", (0, 0), (-1, 0), BOLD),
                               ("FONTSIZE", (0, 0), (-1, -1), 9),
                               ("LINEBELOW", (0, 0), (-1, 0), 0.8, "#1d2733"),
                               ("LINEBELOW", (0, 1), (-1, -1), 0.3, "#b8c2cc"),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(table)
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                      topMargin=18 * mm, bottomMargin=18 * mm,
                      title="Forside: utskrift av signerte kartlegginger").build(story)
    return out.getvalue()


# ---------------------------------------------------------------------- ZIP of originals

def _safe_name(text: str) -> str:
    cleaned = re.sub(r"[^\w\- ]+", "", text or "", flags=re.UNICODE).strip()
    return re.sub(r"\s+", " ", cleaned)[:60] or "person"


def archive(items: list[Item]) -> tuple[bytes, list[Item]]:
    """A ZIP of the stored signed files, byte for byte, plus innhold.csv (with SHA-256)."""
    buf = io.BytesIO()
    included = []
    listing = [["fil", "dokument", "person", "signert", "sha256"]]
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        for item in items:
            if item.assessment_id is None:
                continue
            data = signed_bytes(item.assessment_id)
            if not data:
                continue
            name = f"{item.file_stem} {_safe_name(item.person_name)}.pdf"
            z.writestr(name, data)
            listing.append([name, item.document_id, item.person_name,
                            oslo_datetime(item.signed_at), hashlib.sha256(data).hexdigest()])
            included.append(item)
        z.writestr("innhold.csv", csv_export.to_text(listing).encode("utf-8"))
    return buf.getvalue(), included
