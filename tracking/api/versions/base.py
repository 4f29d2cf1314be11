"""What every version shares: reading a JSON body and validating it with a serializer."""

from __future__ import annotations

from rest_framework.request import Request

from shipdesk.api import APIError


def json_object(request: Request, wrapper: str | None = None) -> dict:
    """The body as an object; with `wrapper`, also the object inside it ({"tracking": {...}}).
    (The default parser, shipdesk.parsers.StrictJSONParser, has refused what cannot be stored.)
    """
    data = request.data
    if not isinstance(data, dict):
        raise APIError("The request body must be a JSON object.")
    if wrapper is None:
        return data
    inner = data.get(wrapper, data)
    if not isinstance(inner, dict):
        raise APIError(f"`{wrapper}` must be an object.", field=wrapper)
    return inner


def validated(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
