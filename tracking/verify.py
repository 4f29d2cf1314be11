"""Verify a shipdesk proof of delivery offline: ``python -m tracking.verify FILE --keys PATH``.

FILE is a POD JSON (the answer of ``GET /api/v1/shipments/{uuid}/pod``, saved as it came) or a
POD letter PDF carrying that JSON as an embedded file; PATH is the public keys document as
served at ``/.well-known/shipdesk-passport.json``. The JSON must be byte for byte as shipdesk
wrote it (the endpoint's compact form, or the letter's two-space indented one), so that a
changed byte anywhere, even in white space, makes it invalid. Needs only PyNaCl and the
standard library: nothing is fetched, Django is not imported.

Exit status: 0 valid, 1 invalid (the reason is printed: bad signature, unknown kid, chain
mismatch, payload altered, malformed), 2 usage error (missing or unreadable FILE or PATH).
A valid POD proves that shipdesk signed this exact delivery record, not that the carrier's
scan was true.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tracking.pod.passport import MALFORMED, PassportError
from tracking.pod.pdf import PdfError, pdf_attachments
from tracking.pod.verification import pod_verify

MAX_FILE_BYTES = 64 * 1024 * 1024
ATTACHMENT_NAME = "pod.json"


class UsageError(Exception):
    pass


def _read(path: str, what: str) -> bytes:
    try:
        file = Path(path)
        if file.stat().st_size > MAX_FILE_BYTES:
            raise UsageError(f"{what} {path} is larger than {MAX_FILE_BYTES // 2**20} MiB")
        return file.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def _compact(value) -> str:
    """How the /pod endpoint writes JSON (Django REST framework's compact UTF-8 form)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# The forms shipdesk writes a POD in: the endpoint's answer, and the letter's attachment.
WRITTEN_FORMS = (_compact, lambda value: json.dumps(value, indent=2))


def _json(data: bytes, what: str):
    """The JSON value of `data`, which must be exactly as shipdesk wrote it (one trailing newline
    allowed): a re-formatted file is refused, so that no byte can change unnoticed."""
    try:
        text = data.decode("utf-8")
        value = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise PassportError(MALFORMED, f"{what} is not JSON ({exc})") from None
    text = text.removesuffix("\n")
    if not any(write(value) == text for write in WRITTEN_FORMS):
        raise PassportError(
            MALFORMED, f"{what} is not byte for byte as shipdesk wrote it (edited or re-formatted)"
        )
    return value


def pod_from_file(data: bytes):
    """The POD JSON value in a file's bytes: the file itself, or a PDF's pod.json attachment."""
    if not data.startswith(b"%PDF-"):
        return _json(data, "the file")
    try:
        attachments = pdf_attachments(data)
    except PdfError as exc:
        raise PassportError(MALFORMED, f"the PDF cannot be read: {exc}") from None
    if ATTACHMENT_NAME in attachments:
        return _json(attachments[ATTACHMENT_NAME], f"the PDF's {ATTACHMENT_NAME}")
    json_files = [name for name in attachments if name.lower().endswith(".json")]
    if len(json_files) != 1:
        raise PassportError(MALFORMED, f"the PDF has no {ATTACHMENT_NAME} attachment")
    return _json(attachments[json_files[0]], f"the PDF's {json_files[0]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tracking.verify",
        description="Verify a shipdesk proof of delivery (POD JSON or POD letter PDF) offline.",
    )
    parser.add_argument("file", metavar="FILE", help="a POD JSON file or a POD letter PDF")
    parser.add_argument(
        "--keys",
        required=True,
        metavar="PATH",
        help="the public keys document, as served at /.well-known/shipdesk-passport.json",
    )
    args = parser.parse_args(argv)
    try:
        data = _read(args.file, "the file")
        try:
            keys = json.loads(_read(args.keys, "the keys file").decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise UsageError(f"the keys file {args.keys} is not JSON") from None
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        payload = pod_verify(document=pod_from_file(data), keys=keys)
    except PassportError as exc:
        print(f"INVALID: {exc.reason}: {exc.message}")
        return 1
    shipment, delivery, chain = payload["shipment"], payload["delivery"], payload["chain"]
    print(f"VALID: signed by shipdesk key {payload['kid']} at {payload['issued_at']}")
    print(
        f"  shipment      {shipment['carrier']} {shipment['tracking_number']} ({shipment['uuid']})"
    )
    print(f"  delivered at  {payload['delivered_at']}")
    print(f"  where         {delivery['location']}")
    print(f"  what          {delivery['description']}")
    print(
        f"  proof chain   link {chain['delivery_seq']} of {chain['length']}, head {chain['head']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
