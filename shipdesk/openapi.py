"""An OpenAPI auto-schema whose operations are read from a table instead of view annotations,
so views stay free of documentation (the print-mail, webhooks and labels descriptions)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema


class TableAutoSchema(AutoSchema):
    """Each operation from `_doc()`, a dict of operation_id, summary, tags, request,
    responses and parameters; a subclass says where its table is."""

    def _doc(self) -> dict:
        raise NotImplementedError

    def get_operation_id(self):
        return self._doc()["operation_id"]

    def get_summary(self):
        return self._doc().get("summary")

    def get_tags(self):
        return self._doc()["tags"]

    def get_request_serializer(self):
        return self._doc().get("request")

    def get_response_serializers(self):
        return self._doc()["responses"]

    def get_override_parameters(self):
        return self._doc().get("parameters", [])
