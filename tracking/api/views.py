"""AfterShip Tracking API 2024-04, served by shipdesk. Thin: validate, call a service, shape."""

from __future__ import annotations

from django.db.models import Prefetch
from rest_framework.request import Request

from shipdesk.api import APIError, PartnerAPIView, aftership_response
from tracking import numbers, selectors
from tracking.api import representation as rep
from tracking.api import serializers as s
from tracking.models import Checkpoint, Shipment, Subscriber
from tracking.services import lifecycle
from tracking.services.shipments import ShipmentError, shipment_create

# AfterShip meta codes for the errors partners' clients know.
CODE_EXISTS = 4003
CODE_NOT_FOUND = 4004
CODE_RETRACK_NOT_ALLOWED = 4016


def _shipment_error(exc: ShipmentError) -> APIError:
    code = {"exists": CODE_EXISTS}.get(
        exc.code, CODE_RETRACK_NOT_ALLOWED if exc.code.startswith("retrack") else 400
    )
    return APIError(str(exc), code=code, field=exc.field)


def _body(request: Request, wrapper: str) -> dict:
    """Accept both AfterShip body shapes: {"tracking": {...}} and the flat object."""
    data = request.data
    if not isinstance(data, dict):
        raise APIError("The request body must be a JSON object.")
    inner = data.get(wrapper, data)
    if not isinstance(inner, dict):
        raise APIError(f"`{wrapper}` must be an object.", field=wrapper)
    return inner


def _validated(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TrackingLookupMixin:
    """Find the partner's tracking by id or by slug + number; another partner's is a 404."""

    def get_shipment(self, *, for_update: bool = False, full: bool = False) -> Shipment:
        qs = Shipment.objects.filter(partner=self.partner)
        if full:
            qs = qs.prefetch_related("subscribers", "checkpoints")
        kwargs = self.kwargs
        if "tracking_id" in kwargs:
            qs = qs.filter(public_id=kwargs["tracking_id"])
        else:
            qs = qs.filter(
                slug=kwargs["slug"].lower(),
                tracking_number=numbers.normalize(kwargs["tracking_number"]),
            )
        shipment = qs.first()
        if shipment is None:
            raise APIError("Tracking does not exist.", http_status=404, code=CODE_NOT_FOUND)
        return shipment


def _full(shipment: Shipment) -> Shipment:
    return Shipment.objects.prefetch_related("subscribers", "checkpoints").get(pk=shipment.pk)


class TrackingListView(PartnerAPIView):
    def get(self, request):
        params = _validated(s.ListQuerySerializer, request.query_params)
        page, limit = params["page"], params["limit"]
        qs = selectors.trackings_filter(Shipment.objects.filter(partner=self.partner), params)
        total = qs.count()
        # Page ids first over the index, then the rows: deep pages stay cheap.
        ids = list(
            qs.order_by("-created_at", "-id").values_list("id", flat=True)[
                (page - 1) * limit : page * limit
            ]
        )
        rows = {
            row.pk: row
            for row in Shipment.objects.filter(id__in=ids).prefetch_related(
                Prefetch("subscribers", queryset=Subscriber.objects.order_by("id")),
                Prefetch("checkpoints", queryset=Checkpoint.objects.order_by("checkpoint_time")),
            )
        }
        trackings = [rep.tracking_data(rows[i], fields=params["fields"] or None) for i in ids]
        has_next = page * limit < total
        return aftership_response(
            {
                "page": page,
                "limit": limit,
                "count": total,
                "keyword": params.get("keyword", ""),
                "slug": ",".join(params["slug"]),
                "origin": params["origin"],
                "destination": params["destination"],
                "tag": ",".join(params.get("tag") or []),
                "fields": ",".join(sorted(params["fields"])),
                "created_at_min": rep.iso(params.get("created_at_min")),
                "created_at_max": rep.iso(params.get("created_at_max")),
                "pagination": {
                    "total": total,
                    "has_next_page": has_next,
                    "next_cursor": str(page + 1) if has_next else None,
                },
                "trackings": trackings,
            }
        )

    def post(self, request):
        data = _validated(s.TrackingCreateSerializer, _body(request, "tracking"))
        try:
            shipment = shipment_create(partner=self.partner, source="api", **data)
        except ShipmentError as exc:
            raise _shipment_error(exc) from exc
        return aftership_response({"tracking": rep.tracking_data(_full(shipment))}, http_status=201)


class TrackingDetailView(TrackingLookupMixin, PartnerAPIView):
    def get(self, request, **kwargs):
        params = _validated(s.DetailQuerySerializer, request.query_params)
        shipment = self.get_shipment(full=True)
        return aftership_response(
            {"tracking": rep.tracking_data(shipment, fields=params.get("fields") or None)}
        )

    def put(self, request, **kwargs):
        shipment = self.get_shipment()
        data = _validated(s.TrackingFieldsSerializer, _body(request, "tracking"))
        lifecycle.shipment_update(shipment=shipment, **data)
        return aftership_response({"tracking": rep.tracking_data(_full(shipment))})

    patch = put

    def delete(self, request, **kwargs):
        shipment = self.get_shipment()
        short = rep.tracking_short(shipment)
        lifecycle.shipment_delete(shipment=shipment)
        return aftership_response({"tracking": short})


class RetrackView(TrackingLookupMixin, PartnerAPIView):
    def post(self, request, **kwargs):
        shipment = self.get_shipment()
        try:
            lifecycle.shipment_retrack(shipment=shipment)
        except ShipmentError as exc:
            raise _shipment_error(exc) from exc
        return aftership_response({"tracking": rep.tracking_data(_full(shipment))})


class MarkCompletedView(TrackingLookupMixin, PartnerAPIView):
    def post(self, request, **kwargs):
        shipment = self.get_shipment()
        data = _validated(
            s.MarkCompletedSerializer, request.data if isinstance(request.data, dict) else {}
        )
        lifecycle.shipment_mark_completed(shipment=shipment, reason=data["reason"])
        return aftership_response({"tracking": rep.tracking_data(_full(shipment))})


class LastCheckpointView(TrackingLookupMixin, PartnerAPIView):
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


class NotificationView(TrackingLookupMixin, PartnerAPIView):
    action = None  # "add", "remove" or None for reading

    def get(self, request, **kwargs):
        return self._answer(self.get_shipment())

    def post(self, request, **kwargs):
        if self.action is None:
            raise APIError(
                "Use …/add or …/remove to change notifications.", http_status=405, code=405
            )
        shipment = self.get_shipment()
        data = _validated(s.NotificationSerializer, _body(request, "notification"))
        change = (
            lifecycle.subscribers_add if self.action == "add" else (lifecycle.subscribers_remove)
        )
        try:
            change(shipment=shipment, emails=data.get("emails", []), smses=data.get("smses", []))
        except ShipmentError as exc:
            raise _shipment_error(exc) from exc
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
