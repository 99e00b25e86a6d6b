"""User text in the summary PDF is drawn line by line on the canvas (no second line-breaking): the same
height and the same extracted text as a reportlab Paragraph of the same lines, which is built
only for a bullet or a split across pages."""
import io

import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from kartlegging.journal import pdf, pdf_bidi
from kartlegging.journal.pdf_paragraph import RichParagraph

TEXTS = ["", " ", "\n", "Kort svar", "Linje\n", "Første\n\nTredje", "a   b\n  c  d  \n",
         "\n\nEtter to tomme", "Nokså lang tekst om hverdagen " * 12, "mrk\u00a0\u00a0nbsp",
         "مرحبا بالعالم", "Kari sier: مرحبا بالعالم og ha det", "שלום עולם",
         "你好世界 ሰላም 👍 नमस्ते", "Tegn uten skrift: \U00012000 her"]
WIDTH = 150


def _extracted(flowable) -> tuple[str, list]:
    """The page's text, and where each piece of it starts (x, y on the page)."""
    buf = io.BytesIO()
    c = Canvas(buf)
    flowable.wrap(WIDTH, 1e6)
    flowable.drawOn(c, 60, 500)
    c.showPage()
    c.save()
    placed = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            placed.append((text.strip(), round(x, 1), round(y, 1)))

    page = PdfReader(io.BytesIO(buf.getvalue())).pages[0]
    return page.extract_text(visitor_text=visit), placed


@pytest.mark.parametrize("style", ["body", "bold", "missing", "small", "h2"])
@pytest.mark.parametrize("text", TEXTS)
def test_drawn_like_a_reportlab_paragraph_of_the_same_lines(text, style):
    p = RichParagraph(text, pdf.S[style])
    width, height = p.wrap(WIDTH, 1e6)
    assert p.direct and p._inner is None  # measured without building a Paragraph
    paragraph = p._paragraph(WIDTH)  # what a bullet or another alignment draws
    assert (width, height) == paragraph.wrap(WIDTH, 1e6)
    if pdf_bidi.needs_layout(text):
        return  # drawn glyph by glyph in logical order: tests/journal/test_pdf_bidi.py
    assert _extracted(RichParagraph(text, pdf.S[style])) == _extracted(paragraph)


def test_a_split_across_pages_keeps_its_own_lines():
    text = "مرحبا بالعالم " * 30
    p = RichParagraph(text, pdf.S["body"])
    _w, height = p.wrap(WIDTH, 1e6)
    leading = pdf.S["body"].leading
    first, rest = p.split(WIDTH, 3 * leading)
    assert isinstance(first, RichParagraph) and isinstance(rest, RichParagraph)
    assert first.wrap(WIDTH, 1e6)[1] == 3 * leading
    assert rest.wrap(WIDTH, 1e6)[1] == height - 3 * leading
    assert p.split(WIDTH, leading / 2) == [] and p.split(WIDTH, 1e6) == [p]


def test_a_bullet_goes_through_a_paragraph():
    p = RichParagraph("fire tjenester er involvert", pdf.S["bullet"], bullet="•")
    p.wrap(WIDTH, 1e6)
    assert not p.direct and p._inner is not None
    assert "• fire tjenester er involvert" in " ".join(_extracted(p)[0].split())
