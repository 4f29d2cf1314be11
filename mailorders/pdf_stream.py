"""A PDF written page by page to a file, keeping only object offsets in memory.

Each source PDF (an order's own, a cover sheet) is read, its pages' objects are copied out with
their numbers remapped, and the source is dropped: memory stays flat however many pages a batch
has. A page can get an overlay drawn over it (marks, barcodes, text in Helvetica) and a
bleed margin (MediaBox grown, TrimBox kept at the piece's real size).
"""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

Overlay = Callable[[int, int, float, float], bytes | None]
CATALOG, PAGES, FONT, SAVE, RESTORE = 1, 2, 3, 4, 5
FONT_NAME = "/SDHelv"
# Page keys that point into the source document's own structures.
DROPPED_KEYS = ("/Parent", "/StructParents", "/B", "/Annots", "/Tabs")


class _Ref(IndirectObject):
    """A reference already numbered in the output (never remapped)."""

    def __init__(self, idnum: int) -> None:
        super().__init__(idnum, 0, None)


class PdfStreamWriter:
    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.offsets: dict[int, int] = {}
        self.kids: list[int] = []
        self.next_id = RESTORE + 1
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self._raw(FONT, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                        b"/Encoding /WinAnsiEncoding >>")  # fmt: skip
        self._stream(SAVE, b"q\n")
        self._stream(RESTORE, b"\nQ\n")

    @property
    def page_count(self) -> int:
        return len(self.kids)

    def _allocate(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def _begin(self, idnum: int) -> None:
        self.offsets[idnum] = self.out.tell()
        self.out.write(f"{idnum} 0 obj\n".encode())

    def _raw(self, idnum: int, body: bytes) -> None:
        self._begin(idnum)
        self.out.write(body + b"\nendobj\n")

    def _stream(self, idnum: int, data: bytes) -> None:
        self._raw(idnum, b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")

    def add_pdf(self, data: bytes, overlay: Overlay | None = None, bleed: float = 0) -> int:
        """Append every page of `data`; `overlay(index, count, width, height)` gives content to
        draw over a page (or None); `bleed` (points) grows each page's MediaBox around its
        TrimBox. Answers the number of pages added."""
        reader = PdfReader(io.BytesIO(data))
        mapping: dict[int, int] = {}
        count = len(reader.pages)
        for index, page in enumerate(reader.pages):
            box = page.mediabox
            drawn = overlay(index, count, float(box.width), float(box.height)) if overlay else None
            self._add_page(reader, page, mapping, drawn, bleed)
        return count

    def _add_page(self, reader, page, mapping, overlay: bytes | None, bleed: float) -> None:
        for key in DROPPED_KEYS:
            if key in page:
                del page[key]
        box = [float(v) for v in page.mediabox]
        if bleed:
            grown = [box[0] - bleed, box[1] - bleed, box[2] + bleed, box[3] + bleed]
            trim = ArrayObject(FloatObject(v) for v in box)
            page[NameObject("/TrimBox")] = trim
            page[NameObject("/BleedBox")] = ArrayObject(FloatObject(v) for v in box)
            page[NameObject("/MediaBox")] = ArrayObject(FloatObject(v) for v in grown)
            if "/CropBox" in page:
                del page["/CropBox"]
        if overlay is not None:  # the page gets resources of its own, with the overlay's font
            resources = page.get("/Resources")
            resources = (
                DictionaryObject(dict.items(resources.get_object()))
                if resources
                else DictionaryObject()
            )
            fonts = resources.get("/Font")
            fonts = (
                DictionaryObject(dict.items(fonts.get_object())) if fonts else DictionaryObject()
            )
            fonts[NameObject(FONT_NAME)] = _Ref(FONT)
            resources[NameObject("/Font")] = fonts
            page[NameObject("/Resources")] = resources
            contents = dict.get(page, "/Contents")
            parts = list(contents.get_object()) if _is_array(contents) else [contents]
            overlay_id = self._allocate()
            self._stream(overlay_id, overlay)
            page[NameObject("/Contents")] = ArrayObject(
                [_Ref(SAVE), *[p for p in parts if p is not None], _Ref(RESTORE), _Ref(overlay_id)]
            )
        page_id = self._allocate()
        page[NameObject("/Parent")] = _Ref(PAGES)
        queue: list[tuple[IndirectObject, int]] = []
        self._write_object(page_id, self._remap(page, reader, mapping, queue))
        while queue:
            ref, idnum = queue.pop()
            self._write_object(idnum, self._remap(ref.get_object(), reader, mapping, queue))
        self.kids.append(page_id)

    def _remap(self, obj, reader, mapping, queue):
        """A copy of `obj` whose references point into the output (the source is left as it
        is: its objects may be shared by pages still to come)."""
        if isinstance(obj, DictionaryObject):
            copied = copy.copy(obj)
            for key, value in list(dict.items(obj)):
                if isinstance(obj, StreamObject) and key == "/Length":
                    continue
                dict.__setitem__(copied, key, self._remapped(value, reader, mapping, queue))
            return copied
        if isinstance(obj, ArrayObject):
            return ArrayObject(self._remapped(v, reader, mapping, queue) for v in obj)
        return obj

    def _remapped(self, value, reader, mapping, queue):
        if isinstance(value, _Ref):
            return value
        if isinstance(value, IndirectObject):
            idnum = mapping.get(value.idnum)
            if idnum is None:
                idnum = mapping[value.idnum] = self._allocate()
                queue.append((value, idnum))
            return _Ref(idnum)
        return self._remap(value, reader, mapping, queue)

    def _write_object(self, idnum: int, obj) -> None:
        self._begin(idnum)
        obj.write_to_stream(self.out)
        self.out.write(b"\nendobj\n")

    def close(self, *, title: str = "") -> None:
        kids = " ".join(f"{kid} 0 R" for kid in self.kids)
        self._raw(PAGES, f"<< /Type /Pages /Count {len(self.kids)} /Kids [{kids}] >>".encode())
        self._raw(CATALOG, f"<< /Type /Catalog /Pages {PAGES} 0 R >>".encode())
        info = self._allocate()
        self._raw(info, b"<< /Title " + pdf_string(title) + b" /Producer (shipdesk) >>")
        start = self.out.tell()
        size = self.next_id
        lines = [f"xref\n0 {size}\n", "0000000000 65535 f \n"]
        for idnum in range(1, size):
            offset = self.offsets.get(idnum)
            lines.append(
                f"{offset:010d} 00000 n \n" if offset is not None else "0000000000 65535 f \n"
            )
        self.out.write("".join(lines).encode())
        self.out.write(
            f"trailer\n<< /Size {size} /Root {CATALOG} 0 R /Info {info} 0 R >>\n"
            f"startxref\n{start}\n%%EOF\n".encode()
        )


def _is_array(value) -> bool:
    return value is not None and isinstance(value.get_object(), ArrayObject)


def pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsi (Helvetica's encoding), parentheses escaped."""
    data = text.encode("cp1252", "replace")
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
