"""USPS Service Standards 3.0 over HTTP, through the USPS client (its OAuth token cache, hourly
budget, retries and 429 handling); the pure half is `standards_mapper`."""

from __future__ import annotations

from tracking.carriers.usps import standards_mapper as mapper
from tracking.carriers.usps.client import UspsClient
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
