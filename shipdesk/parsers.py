"""The default request parser of every partner API (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES).

Kept apart from shipdesk.api: DRF imports its default parsers while it defines APIView, which
shipdesk.api builds on. Errors raised here reach the view's exception handler, so each API
answers them in its own envelope.
"""

from __future__ import annotations

import math

from rest_framework import exceptions
from rest_framework.parsers import JSONParser


class StrictJSONParser(JSONParser):
    """JSON, refused (400) where shipdesk could not store it or send it back: nesting past
    Python's recursion limit, NUL characters (PostgreSQL text and jsonb), lone surrogates (not
    UTF-8) and infinite numbers (`1e999`, not JSON). Free-form members such as `custom_fields`
    are walked too; the message names the member."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ValidationError("The request body is nested too deeply.") from exc
        refuse_unstorable(data)
        return data


def _printable(key: str) -> str:
    return key.encode("utf-8", "backslashreplace").decode().replace("\x00", "\\x00")


def unstorable(data) -> tuple[str, str] | None:
    """(dotted path, problem) of the first value the database cannot store, or None."""
    stack = [("", data)]
    while stack:
        path, value = stack.pop()
        problem = None
        if isinstance(value, dict):
            for key, item in value.items():
                stack.append((path, key))
                stack.append((f"{path}{_printable(str(key))}.", item))
        elif isinstance(value, list):
            stack.extend((f"{path}{index}.", item) for index, item in enumerate(value))
        elif isinstance(value, str):
            if "\x00" in value:
                problem = "Null characters are not allowed."
            else:
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    problem = "Surrogate characters are not allowed."
        elif isinstance(value, float) and not math.isfinite(value):
            problem = "Numbers must be finite."
        if problem:
            return path.rstrip("."), problem
    return None


def refuse_unstorable(data) -> None:
    """Raise a ValidationError naming the member that holds an unstorable value."""
    found = unstorable(data)
    if found:
        field, problem = found
        raise exceptions.ValidationError({field: [problem]} if field else [problem])
