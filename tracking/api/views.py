"""AfterShip's Tracking API, served by shipdesk. Thin: validate, call a service, shape.

The version (tracking.api.versions) reads the request and shapes the answer; each route names it
(`View.as_view(version=...)`, 2024-04 by default). Each operation's OpenAPI description sits
beside it (`@extend_schema`); the shapes it names are in `tracking.api.schema`.
"""

from __future__ import annotations

from shipdesk.api import APIError, PartnerAPIView, aftership_response
from tracking import numbers, selectors
from tracking.api import representation as rep
from tracking.api import schema as doc
from tracking.api import serializers as s
from tracking.api.schema import v2026_07 as v2026
from tracking.api.versions import input_2026_07 as i
from tracking.api.versions import v2024_04
from tracking.api.versions.base import json_object, validated
from tracking.models import Shipment
from tracking.services import lifecycle
from tracking.services.shipments import ShipmentError, shipment_create

# AfterShip meta codes for the errors partners' clients know.
CODE_EXISTS = v2024_04.CODE_EXISTS
CODE_NOT_FOUND = 4004
CODE_RETRACK_NOT_ALLOWED = v2024_04.CODE_RETRACK_NOT_ALLOWED

TRACKINGS, CHECKPOINTS, NOTIFICATIONS = ["Trackings"], ["Last checkpoint"], ["Notifications"]

TrackingCreateBody = doc.request_body(
    "TrackingCreateBody",
    "tracking",
    s.TrackingCreateSerializer,
    "The tracking to create. The same fields are also accepted without the `tracking` wrapper.",
)
TrackingUpdateBody = doc.request_body(
    "TrackingUpdateBody",
    "tracking",
    s.TrackingFieldsSerializer,
    'The fields to change; fields not sent stay as they are, `[]` clears a list and `""` '
    "clears a text. Also accepted without the `tracking` wrapper.",
    required=False,
)
NotificationBody = doc.request_body(
    "NotificationBody",
    "notification",
    s.NotificationSerializer,
    "E-mail addresses and phone numbers (up to 3 of each per tracking). Also accepted without "
    "the `notification` wrapper.",
    required=False,
)


_body = json_object
_validated = validated


def _not_found() -> APIError:
    return APIError("Tracking does not exist.", http_status=404, code=CODE_NOT_FOUND)


class VersionedView(PartnerAPIView):
    """A view of the tracking API in the version its route names."""

    version = v2024_04.VERSION

    def determine_version(self, request, *args, **kwargs):
        return self.version.name, None

    def tracking(self, shipment: Shipment) -> dict:
        """The answer's data: the tracking as stored now (after a change)."""
        return self.version.answer(self.version.trackings([shipment.pk])[0])


class TrackingLookupMixin:
    """Find the partner's tracking by id or by slug + number; another partner's is a 404."""

    schema = doc.PartnerAutoSchema()

    def get_shipment(self) -> Shipment:
        shipment = self.lookup().first()
        if shipment is None:
            raise _not_found()
        return shipment

    def lookup(self, rows=None):
        """The partner's tracking named by the URL, as a queryset of at most one row (of
        `rows`, by default the model's)."""
        kwargs = self.kwargs
        if any("\x00" in value for value in kwargs.values()):
            raise _not_found()  # no id holds NUL, and PostgreSQL refuses it in a query
        qs = (Shipment.objects.order_by() if rows is None else rows).filter(
            partner_id=self.partner.pk
        )
        if "tracking_id" in kwargs:
            return qs.filter(public_id=kwargs["tracking_id"])
        return qs.filter(
            slug=kwargs["slug"].lower(),
            tracking_number=numbers.normalize(kwargs["tracking_number"]),
        )

    def lookup_row(self) -> dict:
        """The tracking's row of representation columns (its SQL prepared once), else 404."""
        kwargs = self.kwargs
        if any("\x00" in value for value in kwargs.values()):
            raise _not_found()
        if "tracking_id" in kwargs:
            rows = rep.SHIPMENT_BY_ID.rows(self.partner.pk, kwargs["tracking_id"])
        else:
            rows = rep.SHIPMENT_BY_NUMBER.rows(
                self.partner.pk,
                kwargs["slug"].lower(),
                numbers.normalize(kwargs["tracking_number"]),
            )
        if not rows:
            raise _not_found()
        return rows[0]


class TrackingListView(VersionedView):
    schema = doc.PartnerAutoSchema()

    @doc.version_operation(
        "2026-07",
        description="The partner's trackings, newest first, a page at a time: give "
        "`pagination.next_cursor` as `cursor` for the next one.",
        parameters=[i.ListQuerySerializer, *v2026.LIST_PARAMETERS],
        responses=v2026.responses(v2026.TrackingListResponse, 400, 401, 429),
    )
    @doc.operation(
        operation_id="getTrackings",
        summary="Get trackings",
        description="The partner's trackings, newest first, one page at a time, filtered by the "
        "query parameters. Deep pages stay fast.",
        tags=TRACKINGS,
        parameters=[s.ListQuerySerializer],
        responses=doc.responses(doc.TrackingListResponse, 400, 401, 429),
    )
    def get(self, request):
        version = self.version
        params = version.list_query(request, self.partner)
        qs = selectors.trackings_filter(Shipment.objects.filter(partner=self.partner), params)
        return aftership_response(version.page(qs=qs, params=params, partner=self.partner))

    @doc.version_operation(
        "2026-07",
        request=i.TrackingCreateSerializer,
        responses=v2026.responses(v2026.TrackingResponse, 400, 401, 415, 429, status=201),
    )
    @doc.operation(
        operation_id="createTracking",
        summary="Create a tracking",
        description="Creates a tracking for the partner. The tracking number (4 to 34 letters "
        "and digits once spaces and dashes are dropped) must be new for the partner and slug "
        "(else 400 with meta.code 4003); the courier is detected from the number when `slug` is "
        "not sent.",
        tags=TRACKINGS,
        request=TrackingCreateBody,
        responses={
            **doc.responses(doc.TrackingCreatedResponse, 401, 415, 429, status=201),
            400: doc.CREATE_ERROR,
        },
    )
    def post(self, request):
        data = self.version.create_input(request)
        try:
            shipment = shipment_create(partner=self.partner, source="api", **data)
        except ShipmentError as exc:
            raise self.version.error(exc) from exc
        return aftership_response(self.tracking(shipment), http_status=201)


class TrackingDetailView(TrackingLookupMixin, VersionedView):
    @doc.version_operation(
        "2026-07", responses=v2026.responses(v2026.TrackingResponse, 400, 401, 404, 429)
    )
    @doc.operation(
        operation_id="getTrackingById",
        summary="Retrieve a tracking",
        description="The tracking with its checkpoints, oldest first.",
        tags=TRACKINGS,
        parameters=[s.DetailQuerySerializer],
        responses=doc.responses(doc.TrackingResponse, 400, 401, 404, 429),
    )
    def get(self, request, **kwargs):
        params = self.version.detail_query(request)
        row = self.lookup_row()
        (tracking,) = self.version.rows({row["id"]: row}, [row["id"]], fields=params.get("fields"))
        return aftership_response(self.version.answer(tracking))

    @doc.version_operation(
        "2026-07",
        request=i.TrackingUpdateSerializer,
        responses=v2026.responses(v2026.TrackingResponse, 400, 401, 404, 415, 429),
    )
    @doc.operation(
        operation_id="updateTrackingById",
        summary="Update a tracking",
        description="Sets the fields sent and leaves the others unchanged.",
        tags=TRACKINGS,
        request=TrackingUpdateBody,
        responses=doc.responses(doc.TrackingResponse, 400, 401, 404, 415, 429),
    )
    def put(self, request, **kwargs):
        shipment = self.get_shipment()
        data = self.version.update_input(request)
        lifecycle.shipment_update(shipment=shipment, actor=self.actor, **data)
        return aftership_response(self.tracking(shipment))

    @doc.version_operation(
        "2026-07",
        request=i.TrackingUpdateSerializer,
        responses=v2026.responses(v2026.TrackingResponse, 400, 401, 404, 415, 429),
    )
    @doc.operation(
        operation_id="patchTrackingById",
        summary="Update a tracking (PATCH)",
        description="The same as PUT: sets the fields sent and leaves the others unchanged.",
        tags=TRACKINGS,
        request=TrackingUpdateBody,
        responses=doc.responses(doc.TrackingResponse, 400, 401, 404, 415, 429),
    )
    def patch(self, request, **kwargs):
        return self.put(request, **kwargs)

    @doc.version_operation(
        "2026-07",
        description="Deletes the tracking and its checkpoints; answers it as it was.",
        responses=v2026.responses(v2026.TrackingResponse, 400, 401, 404, 429),
    )
    @doc.operation(
        operation_id="deleteTrackingById",
        summary="Delete a tracking",
        description="Deletes the tracking and its checkpoints; answers its short form.",
        tags=TRACKINGS,
        responses=doc.responses(doc.TrackingDeletedResponse, 400, 401, 404, 429),
    )
    def delete(self, request, **kwargs):
        shipment = self.get_shipment()
        deleted = self.version.deleted(shipment)
        try:
            lifecycle.shipment_delete(shipment=shipment, actor=self.actor)
        except ShipmentError as exc:
            raise self.version.error(exc) from exc
        return aftership_response(deleted)


class RetrackView(TrackingLookupMixin, VersionedView):
    @doc.version_operation(
        "2026-07", responses=v2026.responses(v2026.TrackingResponse, 400, 401, 404, 429)
    )
    @doc.operation(
        operation_id="retrackTrackingById",
        summary="Retrack an expired tracking",
        description="Tracks an inactive (expired or completed) tracking again; at most 3 times "
        "per tracking. Otherwise 400 with meta.code 4016.",
        tags=TRACKINGS,
        request=None,
        responses={
            **doc.responses(doc.TrackingResponse, 401, 404, 429),
            400: doc.RETRACK_ERROR,
        },
    )
    def post(self, request, **kwargs):
        shipment = self.get_shipment()
        try:
            lifecycle.shipment_retrack(shipment=shipment, actor=self.actor)
        except ShipmentError as exc:
            raise self.version.error(exc) from exc
        return aftership_response(self.tracking(shipment))


class MarkCompletedView(TrackingLookupMixin, VersionedView):
    @doc.version_operation(
        "2026-07",
        request=i.MarkCompletedSerializer,
        responses=v2026.responses(v2026.TrackingResponse, 400, 401, 404, 415, 429),
    )
    @doc.operation(
        operation_id="markTrackingCompletedById",
        summary="Mark a tracking as completed",
        description="A person's verdict; the tracking stops auto-updating until retracked. "
        f"{doc.MARK_COMPLETED_DOC}.",
        tags=TRACKINGS,
        request=s.MarkCompletedSerializer,
        responses=doc.responses(doc.TrackingResponse, 400, 401, 404, 415, 429),
    )
    def post(self, request, **kwargs):
        shipment = self.get_shipment()
        data = self.version.complete_input(request)
        lifecycle.shipment_mark_completed(
            shipment=shipment,
            reason=data["reason"],
            event_datetime=data.get("event_datetime"),
            actor=self.actor,
        )
        return aftership_response(self.tracking(shipment))


class LastCheckpointView(TrackingLookupMixin, VersionedView):
    @doc.operation(
        operation_id="getCheckpointByTrackingId",
        summary="Get last checkpoint",
        description="The tracking's status and its latest checkpoint (`{}` when it has none); "
        "`fields` picks checkpoint fields.",
        tags=CHECKPOINTS,
        parameters=[s.DetailQuerySerializer],
        responses=doc.responses(doc.LastCheckpointResponse, 400, 401, 404, 429),
    )
    def get(self, request, **kwargs):
        params = _validated(s.DetailQuerySerializer, request.query_params)
        shipment = self.get_shipment()
        latest = shipment.checkpoints.order_by("-checkpoint_time", "-id").first()
        checkpoint = rep.checkpoint_data(latest) if latest else {}
        if params.get("fields") and checkpoint:
            checkpoint = {k: v for k, v in checkpoint.items() if k in params["fields"]}
        return aftership_response(
            {
                "id": shipment.public_id,
                "tracking_number": shipment.tracking_number,
                "slug": shipment.slug,
                "tag": shipment.tag,
                "subtag": shipment.subtag,
                "subtag_message": shipment.subtag_message,
                "checkpoint": checkpoint,
            }
        )


class NotificationView(TrackingLookupMixin, VersionedView):
    """Who is notified of a tracking's changes; the subclasses add and remove them."""

    http_method_names = ["get", "options"]

    @doc.operation(
        operation_id="getNotificationByTrackingId",
        summary="Get a tracking's notification receivers",
        tags=NOTIFICATIONS,
        responses=doc.responses(doc.NotificationResponse, 401, 404, 429),
    )
    def get(self, request, **kwargs):
        return self._answer(self.get_shipment())

    def _change(self, request, change):
        shipment = self.get_shipment()
        data = _validated(s.NotificationSerializer, _body(request, "notification"))
        try:
            change(shipment=shipment, emails=data.get("emails", []), smses=data.get("smses", []))
        except ShipmentError as exc:
            raise self.version.error(exc) from exc
        return self._answer(shipment)

    def _answer(self, shipment):
        subscribers = list(shipment.subscribers.all())
        return aftership_response(
            {
                "notification": {
                    "emails": [x.address for x in subscribers if x.channel == "email"],
                    "smses": [x.address for x in subscribers if x.channel == "sms"],
                }
            }
        )


class NotificationAddView(NotificationView):
    http_method_names = ["post", "options"]

    @doc.operation(
        operation_id="addNotificationByTrackingId",
        summary="Add notification receivers",
        description="Adds e-mail addresses and phone numbers; a tracking holds at most 3 of "
        "each. Each receives a message when the tracking's tag changes.",
        tags=NOTIFICATIONS,
        request=NotificationBody,
        responses=doc.responses(doc.NotificationResponse, 400, 401, 404, 415, 429),
    )
    def post(self, request, **kwargs):
        return self._change(request, lifecycle.subscribers_add)


class NotificationRemoveView(NotificationView):
    http_method_names = ["post", "options"]

    @doc.operation(
        operation_id="removeNotificationByTrackingId",
        summary="Remove notification receivers",
        tags=NOTIFICATIONS,
        request=NotificationBody,
        responses=doc.responses(doc.NotificationResponse, 400, 401, 404, 415, 429),
    )
    def post(self, request, **kwargs):
        return self._change(request, lifecycle.subscribers_remove)
