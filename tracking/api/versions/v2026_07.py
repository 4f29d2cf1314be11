"""AfterShip Tracking API 2026-07: flat bodies, trackings by id only, the tracking object itself
as `data`, cursors, `customers[]`, `*_country_region`, and AfterShip's field error codes (4008
for a value that is invalid, 4009 for one that is missing)."""

from __future__ import annotations

import re

from rest_framework import exceptions

from shipdesk.api import APIError
from shipdesk.api import _field_messages as field_messages
from tracking.api.versions import cursor
from tracking.api.versions import input_2026_07 as i
from tracking.api.versions import shapes_2026_07 as shapes
from tracking.api.versions.base import json_object, validated
from tracking.api.versions.countries import ALPHA3
from tracking.api.versions.v2024_04 import Version as V2024_04
from tracking.edd import EddInputError

CODE_VALUE_INVALID = 4008
CODE_VALUE_REQUIRED = 4009


ADDRESSES = ("origin_address", "destination_address")


def _address_in(address: dict, field: str, index: int) -> dict:
    address = {k: v for k, v in address.items() if k != "country"}
    code = address.pop("country_region", None)
    if code is not None:
        if not isinstance(code, str) or code.strip().upper() not in ALPHA3:
            where = f"estimated_delivery_dates[{index}].{field}"
            raise EddInputError(where, "must be an ISO 3166-1 alpha-3 country/region code.")
        address["country"] = code
    return address


def _first_code(detail) -> str:
    if isinstance(detail, dict):
        detail = list(detail.values())
    if isinstance(detail, list):
        for item in detail:
            if code := _first_code(item):
                return code
        return ""
    return getattr(detail, "code", "") or ""


class Version(V2024_04):
    name = "2026-07"
    shape = staticmethod(shapes.tracking)

    def validated(self, serializer_class, data, **kwargs):
        try:
            return validated(serializer_class, data, **kwargs)
        except exceptions.ValidationError as exc:
            messages = field_messages(exc.detail)
            required = _first_code(exc.detail) == "required"
            field = messages[0].split(":", 1)[0] if messages else None
            raise APIError(
                "; ".join(messages) or "Invalid request.",
                code=CODE_VALUE_REQUIRED if required else CODE_VALUE_INVALID,
                field=field,
            ) from exc

    def create_input(self, request) -> dict:
        return self.validated(i.TrackingCreateSerializer, json_object(request))

    def update_input(self, request) -> dict:
        return self.validated(i.TrackingUpdateSerializer, json_object(request))

    def complete_input(self, request) -> dict:
        return self.validated(i.MarkCompletedSerializer, json_object(request))

    def detect_input(self, request) -> dict:
        return self.validated(i.DetectSerializer, json_object(request))

    def list_query(self, request, partner) -> dict:
        params = self.query(i.ListQuerySerializer, request)
        if params.get("cursor"):
            try:
                params["after"] = cursor.cursor_read(
                    params["cursor"], partner_id=partner.pk, version=self.name
                )
            except cursor.CursorError as exc:
                raise APIError(f"cursor: {exc}", code=CODE_VALUE_INVALID, field="cursor") from exc
        return params

    def predict_items(self, items):
        """2026-07 addresses name `country_region`; the estimator reads `country`."""
        if not isinstance(items, list):
            return items
        out = []
        for index, item in enumerate(items):
            if isinstance(item, dict):
                item = dict(item)
                for key in ADDRESSES:
                    if isinstance(item.get(key), dict):
                        item[key] = _address_in(item[key], f"{key}.country", index)
            out.append(item)
        return out

    def predict_error(self, exc, *, single: bool = False) -> APIError:
        field = re.sub(r"\.country$", ".country_region", exc.field)
        if single and field.startswith("estimated_delivery_dates["):
            field = field.split("].", 1)[-1]
        return APIError(f"{field}: {exc.reason}", code=CODE_VALUE_INVALID, field=field)

    def prediction(self, answer: dict) -> dict:
        answer = {"id": None, **answer}
        for key in ADDRESSES:
            address = answer.get(key)
            if isinstance(address, dict) and "country" in address:
                address = dict(address)
                address["country_region"] = address.pop("country")
                answer[key] = address
        return answer

    def answer(self, tracking: dict) -> dict:
        return tracking

    def deleted(self, shipment) -> dict:
        return self.trackings([shipment.pk])[0]

    def couriers(self, slugs) -> dict:
        couriers = [shapes.COURIER for slug in slugs if slug == shapes.COURIER["slug"]]
        return {"total": len(couriers), "couriers": couriers}

    def page(self, *, qs, params, partner) -> dict:
        """Newest first, from the cursor's row on: ids over the index, then the rows."""
        limit = params["limit"]
        total = qs.count()
        if "after" in params:
            qs = qs.filter(cursor.after(*params["after"]))
        keys = list(qs.order_by("-created_at", "-id").values_list("created_at", "id")[: limit + 1])
        has_next = len(keys) > limit
        keys = keys[:limit]
        next_cursor = None
        if has_next:
            created_at, row_id = keys[-1]
            next_cursor = cursor.cursor_make(
                partner_id=partner.pk, version=self.name, created_at=created_at, row_id=row_id
            )
        return {
            "pagination": {
                "total": total,
                "next_cursor": next_cursor,
                "has_next_page": has_next,
            },
            "trackings": self.trackings([k[1] for k in keys], fields=params["fields"] or None),
        }


VERSION = Version()
