"""USPS Service Standards 3.0 over HTTP, through the USPS client (its OAuth token cache, hourly
budget, retries and 429 handling); the pure half is `standards_mapper`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracking.carriers.usps import standards_mapper as mapper
from tracking.carriers.usps.client import Call, UspsClient
from tracking.edd.zone_table import Standard


class UspsStandards:
    def __init__(self, client: UspsClient):
        self.client = client

    def standard(
        self,
        *,
        origin_zip: str | None,
        destination_zip: str | None,
        mail_class: str | None,
        weight_lb: float | None = None,
    ) -> Standard | None:
        """USPS's transit days for the lane, None when it has none for it.

        Raises CarrierUnavailable (USPS unreachable, failing, rate-limited) or BudgetExhausted.
        """
        query = mapper.build_standards_query(
            origin_zip=origin_zip,
            destination_zip=destination_zip,
            mail_class=mail_class,
            weight_lb=weight_lb,
        )
        if query is None:
            return None
        response = self.client.call("standards", "GET", mapper.PATH, params=query)
        try:
            body = response.json()
        except ValueError:
            body = None
        return mapper.parse_standards(
            response.status_code, body, mail_class=query["mailClass"], weight_lb=weight_lb
        )


@dataclass(frozen=True)
class Delivery:
    days: int  # USPS's standard, in business days
    date: date | None  # USPS's scheduled delivery date for the acceptance date sent


def delivery_call(
    *,
    origin_zip: str,
    destination_zip: str,
    mail_class: str,
    weight_lb: float | None = None,
    acceptance_date: date | None = None,
) -> Call | None:
    """The request for USPS's days and delivery date of a parcel accepted on
    `acceptance_date` (None when a ZIP Code is missing)."""
    query = mapper.build_standards_query(
        origin_zip=origin_zip,
        destination_zip=destination_zip,
        mail_class=mail_class,
        weight_lb=weight_lb,
    )
    if query is None:
        return None
    if acceptance_date is not None:
        query["acceptanceDate"] = acceptance_date.isoformat()
    return Call("standards", "GET", mapper.PATH, params=query)


def delivery_read(response, call: Call, *, weight_lb: float | None = None) -> Delivery | None:
    """USPS's answer to `delivery_call`, None when it holds no standard (a refusal included)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    found = mapper.parse_delivery(
        response.status_code, body, mail_class=call.params["mailClass"], weight_lb=weight_lb
    )
    return Delivery(*found) if found else None


def delivery(client: UspsClient, *, weight_lb: float | None = None, **lane) -> Delivery | None:
    """USPS's days and delivery date for one lane (see `delivery_call`). Raises
    CarrierUnavailable or BudgetExhausted."""
    call = delivery_call(weight_lb=weight_lb, **lane)
    if call is None:
        return None
    response = client.call(call.kind, call.method, call.path, params=call.params)
    return delivery_read(response, call, weight_lb=weight_lb)
