"""JSON bodies keep their JSON types: a string field takes a string, a number field a number.

DRF coerces on input (`0` becomes `"0"`, `"5"` becomes `5`, `"yes"` becomes `True`), which suits
form and query strings but lets a JSON body the OpenAPI descriptions forbid through. Partner
serializers mix in `JSONTypesMixin`: a JSON object is checked against the field tree before DRF
validates it, and a wrong type (or a text longer than its limit as sent, before DRF trims
whitespace) is refused naming its field. Form bodies (`QueryDict`, or `FormData` once
unflattened into objects) keep DRF's coercion, as their values are all strings.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.http import QueryDict
from rest_framework import serializers


class FormData(dict):
    """A form body's fields read into nested objects (`to[firstName]=A`): text values that
    DRF's coercion reads, not JSON types."""


TYPE_MESSAGES = {
    str: "Not a valid string.",
    int: "A valid integer is required.",
    float: "A valid number is required.",
    bool: "Must be a valid boolean.",
}


def _expected(field: serializers.Field) -> type | None:
    """The JSON type a primitive field takes, or None when it is not checked here."""
    if isinstance(field, serializers.BooleanField):
        return bool
    if isinstance(field, serializers.IntegerField):
        return int
    if isinstance(field, serializers.FloatField | serializers.DecimalField):
        return float
    if isinstance(field, serializers.MultipleChoiceField):
        return None
    if isinstance(field, serializers.ChoiceField):
        choices = list(field.choices)
        if choices and all(isinstance(choice, str) for choice in choices):
            return str
        return None
    if isinstance(field, serializers.CharField):
        return str
    return None


def _fits(value, expected: type) -> bool:
    if expected is bool:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if expected is int:
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if expected is float:
        return isinstance(value, int | float)
    return isinstance(value, expected)


def type_errors(field: serializers.Field, value):
    """The errors of `value` for `field` (DRF's error-detail shape), or None."""
    if value is None:
        return None  # allow_null is DRF's to check
    if isinstance(field, serializers.ListSerializer):
        field = serializers.ListField(child=field.child)
    if isinstance(field, serializers.Serializer):
        return object_errors(field, value) if isinstance(value, Mapping) else None
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return None
        errors = {i: e for i, item in enumerate(value) if (e := type_errors(field.child, item))}
        return errors or None
    if isinstance(field, serializers.DictField):
        if not isinstance(value, Mapping):
            return None
        errors = {k: e for k, item in value.items() if (e := type_errors(field.child, item))}
        return errors or None
    expected = _expected(field)
    if expected is not None and not _fits(value, expected):
        return [TYPE_MESSAGES[expected]]
    limit = getattr(field, "max_length", None)
    if isinstance(field, serializers.CharField) and limit is not None and len(value) > limit:
        # as sent: DRF would measure it after trimming whitespace
        return [f"Ensure this field has no more than {limit} characters."]
    return None


def object_errors(serializer: serializers.Serializer, data: Mapping) -> dict | None:
    errors = {}
    for name, field in serializer.fields.items():
        if field.read_only or name not in data:
            continue
        if problem := type_errors(field, data[name]):
            errors[name] = problem
    return errors or None


class JSONTypesMixin:
    """Refuse JSON values of the wrong type before DRF's own (coercing) validation."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping) and not isinstance(data, QueryDict | FormData):
            errors = object_errors(self, data)
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class QueryBlanksMixin:
    """An empty query value (`?page=`) of a non-text parameter is refused, not read as absent.

    (DRF drops empty form values of optional fields; the OpenAPI descriptions call them invalid.)
    """

    def to_internal_value(self, data):
        if isinstance(data, QueryDict):
            blank = {
                name: ["May not be blank."]
                for name, field in self.fields.items()
                if data.get(name) == "" and not isinstance(field, serializers.CharField)
            }
            if blank:
                raise serializers.ValidationError(blank)
        return super().to_internal_value(data)
