"""AfterShip Tracking 2026-07 courier connections: a partner's own USPS app credentials.

Thin: validate, call tracking.services.courier_connections, shape. Credentials go in and never
come out (masked); another partner's connection is a 404.
"""

from __future__ import annotations

from datetime import UTC

from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers

from shipdesk.api import APIError, aftership_response
from shipdesk.jsontypes import JSONTypesMixin, QueryBlanksMixin
from tracking.api import schema as doc
from tracking.api.schema import v2026_07 as v2026
from tracking.api.schema.envelopes import ErrorEnvelopeSerializer, data_object, envelope
from tracking.api.versions import cursor
from tracking.api.versions.base import json_object
from tracking.api.versions.v2026_07 import CODE_VALUE_INVALID, CODE_VALUE_REQUIRED
from tracking.api.views import VersionedView
from tracking.models import CourierConnection
from tracking.services import courier_connections as service

TAGS = ["Courier connections"]
# Cursors of this list are not the trackings list's: their own salt.
CURSOR_VERSION = "2026-07/courier-connections"


class ListQuerySerializer(QueryBlanksMixin, serializers.Serializer):
    courier_slug = serializers.CharField(required=False, allow_blank=True, max_length=50)
    cursor = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=100)


def _credential(help_text: str) -> dict:
    return {
        "type": "string",
        "pattern": r"\S",
        "maxLength": service.MAX_CREDENTIAL_LENGTH,
        "description": help_text,
    }


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "client_id": _credential("The USPS app's consumer key."),
            "client_secret": _credential("The USPS app's consumer secret."),
        },
        "required": list(service.CREDENTIAL_FIELDS),
        "additionalProperties": False,
    }
)
class CredentialsField(serializers.DictField):
    """Read by the service (tracking.services.courier_connections.credentials_checked)."""


class CreateSerializer(JSONTypesMixin, serializers.Serializer):
    courier_slug = serializers.ChoiceField(choices=list(service.COURIERS))
    credentials = CredentialsField()


class UpdateSerializer(JSONTypesMixin, serializers.Serializer):
    credentials = CredentialsField()


class MaskedCredentialsSerializer(serializers.Serializer):
    client_id = serializers.CharField(help_text="`****` and the key's last four characters.")
    client_secret = serializers.CharField(help_text="Always `********`: never returned.")


class ConnectionSerializer(serializers.Serializer):
    """A courier connection; its credentials masked."""

    id = serializers.CharField()
    courier_slug = serializers.CharField()
    credentials = MaskedCredentialsSerializer()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


ConnectionResponse = envelope(
    "CourierConnectionResponse", ConnectionSerializer(), "The courier connection."
)
ConnectionListResponse = envelope(
    "CourierConnectionListResponse",
    data_object(
        "CourierConnectionListData",
        pagination=v2026.PaginationSerializer(),
        courier_connections=ConnectionSerializer(many=True),
    ),
    "A page of the partner's courier connections, newest first.",
)


def _time(value) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def shaped(connection: CourierConnection) -> dict:
    return {
        "id": connection.public_id,
        "courier_slug": connection.courier_slug,
        "credentials": service.masked(connection),
        "created_at": _time(connection.created_at),
        "updated_at": _time(connection.updated_at),
    }


def _refused(exc: service.CourierConnectionError) -> APIError:
    if isinstance(exc, service.ConnectionExists):
        return APIError(f"{exc.field}: {exc}", http_status=409, field=exc.field)
    field = f"credentials.{exc.field}" if exc.field in service.CREDENTIAL_FIELDS else exc.field
    code = CODE_VALUE_REQUIRED if exc.missing else CODE_VALUE_INVALID
    return APIError(f"{field}: {exc}", code=code, field=field)


class ConnectionsView(VersionedView):
    schema = doc.PartnerAutoSchema()

    @doc.operation(
        operation_id="getCourierConnections",
        summary="List courier connections",
        description="The partner's courier connections, newest first, a cursor per page.",
        tags=TAGS,
        parameters=[ListQuerySerializer],
        responses=v2026.responses(ConnectionListResponse, 400, 401, 429),
    )
    def get(self, request):
        params = self.version.validated(ListQuerySerializer, request.query_params)
        connections = CourierConnection.objects.filter(partner=self.partner)
        if params.get("courier_slug"):
            connections = connections.filter(courier_slug=params["courier_slug"])
        total = connections.count()
        if params.get("cursor"):
            try:
                after = cursor.cursor_read(
                    params["cursor"], partner_id=self.partner.pk, version=CURSOR_VERSION
                )
            except cursor.CursorError as exc:
                raise APIError(f"cursor: {exc}", code=CODE_VALUE_INVALID, field="cursor") from exc
            connections = connections.filter(cursor.after(*after))
        limit = params["limit"]
        page = list(connections.order_by("-created_at", "-id")[: limit + 1])
        has_next = len(page) > limit
        page = page[:limit]
        next_cursor = None
        if has_next:
            last = page[-1]
            next_cursor = cursor.cursor_make(
                partner_id=self.partner.pk,
                version=CURSOR_VERSION,
                created_at=last.created_at,
                row_id=last.pk,
            )
        return aftership_response(
            {
                "pagination": {
                    "total": total,
                    "next_cursor": next_cursor,
                    "has_next_page": has_next,
                },
                "courier_connections": [shaped(c) for c in page],
            }
        )

    @doc.operation(
        operation_id="postCourierConnections",
        summary="Create a courier connection",
        description="The partner's own USPS app: its trackings, proofs of delivery and labels "
        "are then asked with these credentials, on the app's own hourly quota. One per courier.",
        tags=TAGS,
        request=CreateSerializer,
        responses={
            **v2026.responses(ConnectionResponse, 400, 401, 415, 429, status=201),
            409: OpenApiResponse(
                ErrorEnvelopeSerializer,
                description="The partner already has a connection to this courier: update it.",
            ),
        },
    )
    def post(self, request):
        data = self.version.validated(CreateSerializer, json_object(request))
        try:
            connection = service.connection_create(
                connection=CourierConnection(
                    partner=self.partner, courier_slug=data["courier_slug"]
                ),
                credentials=data["credentials"],
                actor=self.actor,
            )
        except service.CourierConnectionError as exc:
            raise _refused(exc) from exc
        return aftership_response(shaped(connection), http_status=201)


class ConnectionView(VersionedView):
    schema = doc.PartnerAutoSchema()

    def get_connection(self, connection_id: str) -> CourierConnection:
        connection = CourierConnection.objects.filter(
            partner=self.partner, public_id=connection_id
        ).first()
        if connection is None:
            raise APIError("Courier connection does not exist.", http_status=404)
        return connection

    @doc.operation(
        operation_id="getCourierConnectionsById",
        summary="Get a courier connection",
        tags=TAGS,
        responses=v2026.responses(ConnectionResponse, 401, 404, 429),
    )
    def get(self, request, connection_id: str):
        return aftership_response(shaped(self.get_connection(connection_id)))

    @doc.operation(
        operation_id="putCourierConnectionsById",
        summary="Update a courier connection",
        description="New credentials for the connection (its last error is forgotten).",
        tags=TAGS,
        request=UpdateSerializer,
        responses=v2026.responses(ConnectionResponse, 400, 401, 404, 415, 429),
    )
    def patch(self, request, connection_id: str):
        connection = self.get_connection(connection_id)
        data = self.version.validated(UpdateSerializer, json_object(request))
        try:
            service.connection_update(
                connection=connection, credentials=data["credentials"], actor=self.actor
            )
        except service.CourierConnectionError as exc:
            raise _refused(exc) from exc
        return aftership_response(shaped(connection))

    @doc.operation(
        operation_id="deleteCourierConnectionsById",
        summary="Delete a courier connection",
        description="The partner's shipments are tracked with the installation's app again.",
        tags=TAGS,
        responses=v2026.responses(ConnectionResponse, 401, 404, 429),
    )
    def delete(self, request, connection_id: str):
        connection = self.get_connection(connection_id)
        answer = shaped(connection)
        service.connection_delete(connection=connection, actor=self.actor)
        return aftership_response(answer)
