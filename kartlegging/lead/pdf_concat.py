"""One PDF made of many, written as it goes: memory holds one source document at a time.

pypdf's PdfWriter keeps every page of every document until it writes the file, so a merge of
200 signed documents held them all at once. Here each source is read, its pages and the
objects they reach are written out under new object numbers, and the source is let go; what
stays is one offset per object written (the cross-reference table) and one reference per
page. The cover is known only at the end (it lists the page counts), so its pages are written
last in the file but come first in the page tree.

Only the pages and what they draw are copied: no annotations (a signed document's signature
field means nothing in a copy), outlines, forms or structure tree.
"""
import gc
import io
from array import array
from collections.abc import Callable

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    TextStringObject,
)

CHUNK = 1 << 20  # bytes handed to the sink at a time
# Page keys that point outside the page's own drawing (parents, annotations, threads, the
# structure tree): dropped from every copied page.
DROPPED_PAGE_KEYS = {"/Parent", "/Annots", "/B", "/StructParents", "/Tabs"}
CATALOG, PAGES, INFO = 1, 2, 3  # object numbers reserved for the end
# pypdf's objects point back at their reader (reference cycles), so a read document is freed
# by the cycle collector, which in a large process runs its full pass seldom: without help,
# what the documents left behind would pile up until it does. A full pass every few documents
# bounds it (a pass costs milliseconds; a document takes about as long to copy).
COLLECT_EVERY = 16


class StreamingPdf:
    """Writes a PDF to `sink` (called with bytes of at most about CHUNK each)."""

    def __init__(self, sink: Callable[[bytes], None], chunk: int = CHUNK):
        self._sink = sink
        self._chunk = chunk
        self._buffer = bytearray()
        self._written = 0             # bytes handed to the sink
        self._offsets = array("Q", bytes(8 * (INFO + 1)))  # by object number: 8 bytes each
        self._next = INFO + 1
        self._added = 0               # source documents read
        self._pages = array("Q")      # object numbers of the pages, in reading order
        self._front = array("Q")      # pages that come before all others (the cover)
        self._emit(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    @property
    def size(self) -> int:
        return self._written + len(self._buffer)

    def _emit(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) >= self._chunk:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._sink(bytes(self._buffer))
            self._written += len(self._buffer)
            self._buffer.clear()

    def _write_object(self, number: int, obj) -> None:
        missing = number + 1 - len(self._offsets)
        if missing > 0:
            self._offsets.extend([0] * missing)
        self._offsets[number] = self.size
        out = io.BytesIO()
        obj.write_to_stream(out)
        self._emit(b"%d 0 obj\n" % number + out.getvalue() + b"\nendobj\n")

    def add(self, data: bytes, *, front: bool = False) -> int:
        """Appends the pages of one PDF (bytes); returns how many. Raises pypdf's errors for a
        file it cannot read (nothing of that file is written then)."""
        self._added += 1
        if self._added % COLLECT_EVERY == 0:
            gc.collect()
        reader = PdfReader(io.BytesIO(data))
        pages = list(reader.pages)  # reading the page tree first: a broken file fails here
        self._numbers: dict[tuple[int, int], int] = {}  # this source's objects → the copy's
        self._queue: list[tuple[int, IndirectObject]] = []
        own = self._front if front else self._pages
        before = len(own)
        try:
            self._copy(pages, own)
        except Exception:
            del own[before:]  # what was written of it stays unreferenced
            raise
        return len(pages)

    def _renumbered(self, value):
        """`value` with every reference pointing at the copy's numbers (changed in place for
        the source's containers: each source object is written once, then let go)."""
        if isinstance(value, IndirectObject):
            key = (value.idnum, value.generation)
            if key not in self._numbers:
                self._numbers[key] = self._next
                self._next += 1
                self._queue.append((self._next - 1, value))
            return IndirectObject(self._numbers[key], 0, None)
        if isinstance(value, DictionaryObject):
            for k in list(value.keys()):
                value[k] = self._renumbered(value.raw_get(k))  # raw: not the resolved object
        elif isinstance(value, ArrayObject):
            for i, v in enumerate(value):
                value[i] = self._renumbered(v)
        return value

    def _copy(self, pages, own: array) -> None:
        for page in pages:
            copy = DictionaryObject({NameObject(k): page.raw_get(k) for k in page.keys()
                                     if k not in DROPPED_PAGE_KEYS})
            self._renumbered(copy)
            copy[NameObject("/Parent")] = IndirectObject(PAGES, 0, None)
            number = self._next
            self._next += 1
            self._write_object(number, copy)
            own.append(number)
            while self._queue:
                n, ref = self._queue.pop()
                obj = ref.get_object()
                if isinstance(obj, DictionaryObject) and obj.get("/Type") == "/Page":
                    obj = DictionaryObject()  # a link to another page: not followed
                self._write_object(n, self._renumbered(obj))

    def finish(self, title: str) -> int:
        """Writes the page tree, catalog, info and cross-reference table; returns the size."""
        # The page tree by hand, a reference at a time: as objects, 200 documents' pages
        # would be the one thing held whole.
        self._offsets[PAGES] = self.size
        count = len(self._front) + len(self._pages)
        self._emit(b"%d 0 obj\n<< /Type /Pages /Count %d /Kids [" % (PAGES, count))
        for pages in (self._front, self._pages):
            for n in pages:
                self._emit(b" %d 0 R" % n)
        self._emit(b" ] >>\nendobj\n")
        self._write_object(CATALOG, DictionaryObject({
            NameObject("/Type"): NameObject("/Catalog"),
            NameObject("/Pages"): IndirectObject(PAGES, 0, None)}))
        self._write_object(INFO, DictionaryObject({
            NameObject("/Title"): TextStringObject(title)}))
        start = self.size
        count = self._next
        self._emit(b"xref\n0 %d\n0000000000 65535 f \n" % count)
        for n in range(1, count):
            offset = self._offsets[n] if n < len(self._offsets) else 0
            # a number given to an object of a file that then failed: a free entry
            self._emit(b"%010d 00000 n \n" % offset if offset else b"0000000000 65535 f \n")
        self._emit(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                   % (count, CATALOG, INFO, start))
        self._flush()
        return self._written
