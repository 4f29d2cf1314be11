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
    if _check(value, 0):
        # Keys without characters from U+E000 up sort the same by code point as by UTF-16
        # code unit, so the standard encoder (in C) writes exactly the canonical form.
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    else:
        parts: list[str] = []
        _write(value, parts)
        text = "".join(parts)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalError(f"not valid Unicode text: {exc.reason}") from None


def _check(value, depth: int) -> bool:
    """Refuse what is outside the subset; True when every key sorts alike in both orders."""
    if isinstance(value, str) or value is None or value is True or value is False:
        return True
    if depth > 64:
        raise CanonicalError("values nested more than 64 deep")
    if isinstance(value, dict):
        simple = True
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError("object keys must be strings")
            if not key.isascii() and max(key) >= "\ue000":
                simple = False
            if not isinstance(item, str) and not _check(item, depth + 1):
                simple = False
        return simple
    if isinstance(value, (list, tuple)):
        simple = True
        for item in value:
            if not isinstance(item, str) and not _check(item, depth + 1):
                simple = False
        return simple
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalError(f"integer {value} is outside ±(2**53 - 1)")
        return True
    if isinstance(value, float):
        raise CanonicalError("floats are not part of the canonical subset shipdesk signs")
    raise CanonicalError(f"{type(value).__name__} values cannot be written as JSON")


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def _write(value, parts: list[str]) -> None:
    """The general writer, for objects whose keys need UTF-16 ordering (already checked)."""
    if value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
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
    else:
        parts.append("{")
        for index, key in enumerate(sorted(value, key=_utf16_key)):
            if index:
                parts.append(",")
            parts.append(json.dumps(key, ensure_ascii=False))
            parts.append(":")
            _write(value[key], parts)
        parts.append("}")
