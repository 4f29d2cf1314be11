"""AfterShip Tracking API 2024-04: `{"tracking": {...}}` bodies (the wrapper optional), page
numbers, emails/smses and `*_country_iso3`; trackings also by slug and number."""

from __future__ import annotations

from shipdesk.api import APIError
from tracking.api import representation as rep
from tracking.api import serializers as s
from tracking.api.versions.base import json_object, validated
from tracking.services.shipments import ShipmentError

CODE_EXISTS = 4003
CODE_RETRACK_NOT_ALLOWED = 4016


class Version:
    name = "2024-04"
    shape = None  # representation's own (2024-04) tracking object

    def validated(self, serializer_class, data, **kwargs):
        return validated(serializer_class, data, **kwargs)

    def error(self, exc: ShipmentError) -> APIError:
        code = {"exists": CODE_EXISTS}.get(
            exc.code, CODE_RETRACK_NOT_ALLOWED if exc.code.startswith("retrack") else 400
        )
        return APIError(str(exc), code=code, field=exc.field)

    # Requests

    def create_input(self, request) -> dict:
        return self.validated(s.TrackingCreateSerializer, json_object(request, "tracking"))

    def update_input(self, request) -> dict:
        return self.validated(s.TrackingFieldsSerializer, json_object(request, "tracking"))

    def complete_input(self, request) -> dict:
        body = request.data
        return self.validated(s.MarkCompletedSerializer, body if isinstance(body, dict) else {})

    def detect_input(self, request) -> dict:
        from tracking.api.couriers import DetectSerializer

        return self.validated(DetectSerializer, json_object(request, "tracking"))

    def list_query(self, request, partner) -> dict:
        return self.query(s.ListQuerySerializer, request)

    def detail_query(self, request) -> dict:
        return self.query(s.DetailQuerySerializer, request)

    def query(self, serializer_class, request) -> dict:
        """The query validated; the usual ones (none, a page, a limit) as the serializer
        would answer them, without running it."""
        params = serializer_class.quick(request.query_params)
        if params is None:
            params = self.validated(serializer_class, request.query_params)
        return params

    def predict_items(self, items):
        return items

    def predict_error(self, exc, *, single: bool = False) -> APIError:
        return APIError(f"{exc.field}: {exc}", field=exc.field)

    # Answers

    def prediction(self, answer: dict) -> dict:
        return answer

    def trackings(self, ids: list[int], *, fields=None) -> list[dict]:
        return rep.trackings_data(ids, fields=fields, shape=self.shape)

    def rows(self, rows: dict, ids: list[int], *, fields=None) -> list[dict]:
        return rep.rows_data(rows, ids, fields=fields, shape=self.shape)

    def answer(self, tracking: dict) -> dict:
        return {"tracking": tracking}

    def deleted(self, shipment) -> dict:
        return {"tracking": rep.tracking_short(shipment)}

    def couriers(self, slugs) -> dict:
        from tracking.api.couriers import COURIERS

        couriers = [COURIERS[slug] for slug in slugs if slug in COURIERS]
        return {"total": len(couriers), "couriers": couriers}

    def page(self, *, qs, params, partner) -> dict:
        """One page of the list: ids over the index first, then the rows (deep pages stay
        cheap); a page past the end asks nothing more."""
        page, limit = params["page"], params["limit"]
        total = qs.count()
        offset = (page - 1) * limit
        ids = []
        if offset < total:
            ids = list(
                qs.order_by("-created_at", "-id").values_list("id", flat=True)[
                    offset : offset + limit
                ]
            )
        has_next = page * limit < total
        return {
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
            "trackings": self.trackings(ids, fields=params["fields"] or None),
        }


VERSION = Version()
