"""The streamed merge: pages in order, the front pages first, a broken file left out whole,
and memory that does not grow with the number of documents."""
import io
import tracemalloc

from pypdf import PdfReader

from factories import tiny_pdf
from kartlegging.lead.pdf_concat import StreamingPdf


def texts(data: bytes) -> list[str]:
    return [p.extract_text().strip() for p in PdfReader(io.BytesIO(data), strict=True).pages]


def test_pages_in_order_with_the_front_pages_first_and_a_broken_file_left_out():
    chunks = []
    pdf = StreamingPdf(chunks.append)
    assert pdf.add(tiny_pdf("A", pages=2)) == 2
    try:
        pdf.add(b"%PDF-1.4\nnot a pdf")
        raise AssertionError("a broken file must raise")
    except Exception as e:  # pypdf's own error for the file
        assert "AssertionError" not in type(e).__name__
    assert pdf.add(tiny_pdf("B")) == 1
    assert pdf.add(tiny_pdf("Forside"), front=True) == 1
    size = pdf.finish("Utskrift")
    data = b"".join(chunks)
    assert size == len(data)
    assert texts(data) == ["Forside side 1", "A side 1", "A side 2", "B side 1"]
    assert PdfReader(io.BytesIO(data)).metadata.title == "Utskrift"


def _peak(documents: int) -> tuple[int, int]:
    """Peak traced memory of a merge of `documents` files into a sink that keeps nothing."""
    sizes = []
    source = tiny_pdf("Side med tekst " * 20, pages=3)
    tracemalloc.start()
    try:
        pdf = StreamingPdf(lambda chunk: sizes.append(len(chunk)), chunk=16_384)
        for _ in range(documents):
            pdf.add(source)
        pdf.finish("Utskrift")
        return tracemalloc.get_traced_memory()[1], sum(sizes)
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_documents():
    small, small_size = _peak(20)
    large, large_size = _peak(400)
    assert large_size > 15 * small_size  # the file did grow (by about 1 MB)
    # What grows is 8 bytes per object written and per page (and what the collector has not
    # yet freed): a small part of the file. Holding the documents would be more than all of it.
    assert large - small < (large_size - small_size) / 4, (small, large)
