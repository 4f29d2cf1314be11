"""USPS's multipart answers (labels, SCAN forms) split into parts: pure, no HTTP."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP


@dataclass(frozen=True)
class Part:
    name: str
    content_type: str
    filename: str
    content: bytes

    def json(self):
        return json.loads(self.content)


def split(content_type: str, body: bytes) -> list[Part]:
    """The parts of a multipart body. Image parts are Base64 as USPS documents ("always Base64
    encoded", whatever Content-Transfer-Encoding says); a part already binary is kept as is."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise ValueError("not a multipart body")
    parts = []
    for item in message.iter_parts():
        kind = item.get_content_type()
        filename = str(item.get_param("filename", header="content-disposition") or "")
        name = str(item.get_param("name", header="content-disposition") or "")
        encoding = str(item.get("Content-Transfer-Encoding") or "").lower()
        raw = item.get_payload(decode=True) or b""
        if kind == "application/json":
            raw = raw.strip()
        elif filename and encoding != "base64":
            raw = _maybe_base64(raw)
        parts.append(Part(name, kind, filename, raw))
    return parts


def _maybe_base64(raw: bytes) -> bytes:
    compact = b"".join(raw.split())
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return raw
