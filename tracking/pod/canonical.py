"""Canonical JSON: the exact bytes shipdesk hashes and signs.

This is RFC 8785 (JSON Canonicalization Scheme, JCS) for the values shipdesk signs: objects with
string keys sorted by their UTF-16 code units, arrays, strings, integers within ±(2**53 - 1),
``true``, ``false`` and ``null``; no whitespace; UTF-8. Strings escape only ``"``, ``\\`` and the
control characters below U+0020 (``\\b \\t \\n \\f \\r`` short forms, ``\\u00xx`` otherwise), which
is what :func:`json.dumps` does with ``ensure_ascii=False``. Floats are refused rather than
formatted (no signed value needs one), as are lone surrogates, non-string keys and other types.

Standard library only: the offline verifier imports this module without Django.
"""

from __future__ import annotations

import json

MAX_SAFE_INTEGER = 2**53 - 1


class CanonicalError(ValueError):
    """The value cannot be written as canonical JSON (a float, a set, a lone surrogate …)."""


def canonical_json(value) -> bytes:
    """The RFC 8785 bytes of `value` (see the module docstring for the subset)."""
    parts: list[str] = []
    _write(value, parts)
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalError(f"not valid Unicode text: {exc.reason}") from None


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def _write(value, parts: list[str]) -> None:
    if value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalError(f"integer {value} is outside ±(2**53 - 1)")
        parts.append(str(int(value)))
    elif isinstance(value, str):
        parts.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, (list, tuple)):
        parts.append("[")
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            _write(item, parts)
        parts.append("]")
    elif isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise CanonicalError("object keys must be strings")
        parts.append("{")
        for index, key in enumerate(sorted(value, key=_utf16_key)):
            if index:
                parts.append(",")
            parts.append(json.dumps(key, ensure_ascii=False))
            parts.append(":")
            _write(value[key], parts)
        parts.append("}")
    elif isinstance(value, float):
        raise CanonicalError("floats are not part of the canonical subset shipdesk signs")
    else:
        raise CanonicalError(f"{type(value).__name__} values cannot be written as JSON")
