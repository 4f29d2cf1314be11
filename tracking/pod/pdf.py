"""The files embedded in a PDF (standard library only): how the verifier finds the POD JSON
inside a POD letter without a PDF library.

It reads the indirect objects of the file, including those packed in compressed object streams
(``/Type /ObjStm``), finds the file specifications (dictionaries with ``/EF``) and decodes each
one's ``/EmbeddedFile`` stream (no filter or ``/FlateDecode``), checking the ``/Params``
``/Size`` and MD5 ``/CheckSum`` when the PDF gives them. Enough for what PDF writers such as
WeasyPrint produce; encrypted PDFs and other filters are refused with a clear error.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass

MAX_DECODED = 32 * 1024 * 1024
OBJ_RE = re.compile(rb"(?<![0-9])(\d+)\s+(\d+)\s+obj\b")
DELIMITERS = b"()<>[]{}/%"
WHITESPACE = b"\x00\t\n\x0c\r "


class PdfError(ValueError):
    """The PDF, or the attachment asked for, cannot be read."""


@dataclass(frozen=True)
class Ref:
    number: int
    generation: int = 0


class Name(str):
    """A PDF name (``/Type`` is ``Name("Type")``); plain ``str`` values are PDF strings."""


@dataclass
class Stream:
    info: dict
    raw: bytes


class _Parser:
    def __init__(self, data: bytes, pos: int = 0):
        self.data, self.pos = data, pos

    def skip_space(self) -> None:
        data, n = self.data, len(self.data)
        while self.pos < n:
            byte = data[self.pos]
            if byte in WHITESPACE:
                self.pos += 1
            elif byte == 0x25:  # % comment
                while self.pos < n and data[self.pos] not in b"\r\n":
                    self.pos += 1
            else:
                return

    def token(self) -> bytes:
        self.skip_space()
        start = self.pos
        while (
            self.pos < len(self.data)
            and self.data[self.pos] not in WHITESPACE
            and self.data[self.pos] not in DELIMITERS
        ):
            self.pos += 1
        if start == self.pos:
            raise PdfError(f"unexpected byte at offset {start}")
        return self.data[start : self.pos]

    def value(self, depth: int = 0):
        if depth > 64:
            raise PdfError("objects nested too deeply")
        self.skip_space()
        data = self.data
        if self.pos >= len(data):
            raise PdfError("unexpected end of the file")
        if data.startswith(b"<<", self.pos):
            self.pos += 2
            result = {}
            while True:
                self.skip_space()
                if data.startswith(b">>", self.pos):
                    self.pos += 2
                    return result
                key = self.value(depth + 1)
                if not isinstance(key, Name):
                    raise PdfError(f"a dictionary key is not a name at offset {self.pos}")
                result[str(key)] = self.value(depth + 1)
        first = data[self.pos]
        if first == 0x5B:  # [
            self.pos += 1
            items = []
            while True:
                self.skip_space()
                if data.startswith(b"]", self.pos):
                    self.pos += 1
                    return items
                items.append(self.value(depth + 1))
        if first == 0x2F:  # /
            self.pos += 1
            raw = (
                self.token()
                if self.pos < len(data) and data[self.pos] not in DELIMITERS + WHITESPACE
                else b""
            )
            return Name(
                re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), raw).decode(
                    "latin-1"
                )
            )
        if first == 0x28:  # (
            return self.literal_string()
        if first == 0x3C:  # <
            end = data.find(b">", self.pos)
            if end < 0:
                raise PdfError("unterminated hex string")
            digits = re.sub(rb"\s", b"", data[self.pos + 1 : end])
            self.pos = end + 1
            try:
                return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))
            except ValueError:
                raise PdfError("bad hex string") from None
        word = self.token()
        if word in (b"true", b"false"):
            return word == b"true"
        if word == b"null":
            return None
        if re.fullmatch(rb"[+-]?\d+", word):
            # `N G R` is a reference.
            mark = self.pos
            try:
                generation = self.token()
                if re.fullmatch(rb"\d+", generation) and self.token() == b"R":
                    return Ref(int(word), int(generation))
            except PdfError:
                pass
            self.pos = mark
            return int(word)
        if re.fullmatch(rb"[+-]?(\d+\.?\d*|\.\d+)", word):
            return float(word)
        raise PdfError(f"unexpected {word[:20]!r} at offset {self.pos}")

    def literal_string(self) -> bytes:
        data, out, depth = self.data, bytearray(), 0
        self.pos += 1
        escapes = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
        while self.pos < len(data):
            byte = data[self.pos]
            self.pos += 1
            if byte == 0x5C:  # backslash
                if self.pos >= len(data):
                    break
                nxt = data[self.pos]
                self.pos += 1
                if nxt in escapes:
                    out.append(escapes[nxt])
                elif 0x30 <= nxt <= 0x37:
                    digits = bytes([nxt])
                    while (
                        len(digits) < 3 and self.pos < len(data) and 0x30 <= data[self.pos] <= 0x37
                    ):
                        digits += data[self.pos : self.pos + 1]
                        self.pos += 1
                    out.append(int(digits, 8) & 0xFF)
                elif nxt == 0x0D:
                    if data.startswith(b"\n", self.pos):
                        self.pos += 1
                elif nxt != 0x0A:
                    out.append(nxt)
            elif byte == 0x28:
                depth += 1
                out.append(byte)
            elif byte == 0x29:
                if depth == 0:
                    return bytes(out)
                depth -= 1
                out.append(byte)
            else:
                out.append(byte)
        raise PdfError("unterminated string")


def _inflate(data: bytes) -> bytes:
    decoder = zlib.decompressobj()
    try:
        out = decoder.decompress(data, MAX_DECODED)
    except zlib.error as exc:
        raise PdfError(f"a compressed stream is damaged ({exc})") from None
    if decoder.unconsumed_tail:
        raise PdfError("a compressed stream is larger than the verifier accepts")
    if not decoder.eof:
        raise PdfError("a compressed stream is truncated")
    return out


def _decode(stream: Stream) -> bytes:
    filters = stream.info.get("Filter")
    filters = filters if isinstance(filters, list) else [filters] if filters else []
    data = stream.raw
    for name in filters:
        if name != "FlateDecode":
            raise PdfError(f"the stream filter /{name} is not supported")
        if stream.info.get("DecodeParms"):
            raise PdfError("stream predictors are not supported")
        data = _inflate(data)
    return data


class _Document:
    def __init__(self, data: bytes):
        if not data.startswith(b"%PDF-"):
            raise PdfError("not a PDF file")
        self.data = data
        self.objects: dict[int, object] = {}
        self._read_top_level()
        if any(isinstance(v, dict) and "Encrypt" in v for v in self.objects.values()):
            raise PdfError("encrypted PDFs are not supported")
        for value in list(self.objects.values()):
            if isinstance(value, Stream) and value.info.get("Type") == "ObjStm":
                self._read_object_stream(value)

    def _read_top_level(self) -> None:
        data, skip_until, pending = self.data, 0, []
        for match in OBJ_RE.finditer(data):
            if match.start() < skip_until:
                continue
            parser = _Parser(data, match.end())
            try:
                value = parser.value()
            except PdfError:
                continue
            parser.skip_space()
            if data.startswith(b"stream", parser.pos) and isinstance(value, dict):
                start = parser.pos + len(b"stream")
                start += 2 if data.startswith(b"\r\n", start) else 1
                value = Stream(info=value, raw=b"")
                pending.append((value, start))
                length = value.info.get("Length")
                end = start + length if isinstance(length, int) else data.find(b"endstream", start)
                skip_until = max(start, end)
            self.objects[int(match[1])] = value
        for stream, start in pending:
            length = self.resolve(stream.info.get("Length"))
            if not isinstance(length, int) or length < 0 or start + length > len(data):
                raise PdfError("a stream has no usable /Length")
            stream.raw = data[start : start + length]
            if not re.match(rb"\s*endstream", data[start + length : start + length + 20]):
                raise PdfError("a stream does not end where its /Length says")

    def _read_object_stream(self, stream: Stream) -> None:
        body = _decode(stream)
        count, first = stream.info.get("N"), stream.info.get("First")
        if not isinstance(count, int) or not isinstance(first, int):
            raise PdfError("an object stream has no /N or /First")
        header = _Parser(body)
        pairs = []
        for _ in range(count):
            pairs.append((int(header.token()), int(header.token())))
        for number, offset in pairs:
            self.objects.setdefault(number, _Parser(body, first + offset).value())

    def resolve(self, value, depth: int = 0):
        while isinstance(value, Ref):
            if depth > 32:
                raise PdfError("references loop")
            value, depth = self.objects.get(value.number), depth + 1
        return value

    def filespecs(self):
        seen = set()

        def walk(value, depth=0):
            if depth > 64 or id(value) in seen:
                return
            seen.add(id(value))
            if isinstance(value, Stream):
                value = value.info
            if isinstance(value, dict):
                if "EF" in value:
                    yield value
                for item in value.values():
                    yield from walk(item, depth + 1)
            elif isinstance(value, list):
                for item in value:
                    yield from walk(item, depth + 1)

        for value in self.objects.values():
            yield from walk(value)


def _text(value) -> str:
    if isinstance(value, bytes):
        if value.startswith(b"\xfe\xff"):
            return value[2:].decode("utf-16-be", "replace")
        return value.decode("latin-1")
    return str(value or "")


def pdf_attachments(data: bytes) -> dict[str, bytes]:
    """{file name: decoded bytes} of every file embedded in the PDF `data`."""
    document = _Document(data)
    found = {}
    for spec in document.filespecs():
        ef = document.resolve(spec.get("EF"))
        stream = document.resolve(ef.get("F") or ef.get("UF")) if isinstance(ef, dict) else None
        if not isinstance(stream, Stream):
            raise PdfError("an attachment has no embedded file stream")
        content = _decode(stream)
        params = document.resolve(stream.info.get("Params"))
        if isinstance(params, dict):
            size, checksum = params.get("Size"), params.get("CheckSum")
            if isinstance(size, int) and size != len(content):
                raise PdfError("an attachment's size is not the one the PDF records")
            if (
                isinstance(checksum, bytes)
                and checksum != hashlib.md5(content, usedforsecurity=False).digest()
            ):
                raise PdfError("an attachment's checksum is not the one the PDF records")
        name = _text(spec.get("UF") or spec.get("F")) or f"attachment-{len(found) + 1}"
        found[name] = content
    return found
