"""USPS APIs v3 over HTTP: OAuth token, tracking and proof-of-delivery requests.

HTTP only: every request first takes a slot of the shared hourly budget; timeouts, connection
errors and 5xx answers are retried with exponential backoff and jitter; a 429 waits for its
Retry-After (or, when that is long, blocks every worker until then).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import requests
from django.utils import timezone

from tracking.carriers import budget, tokens

logger = logging.getLogger(__name__)

CARRIER = "usps"
# A Retry-After beyond a day is not believed (and "inf" would not fit in a datetime).
MAX_RETRY_AFTER = 24 * 3600.0


class CarrierUnavailable(Exception):
    """USPS could not be reached or kept failing; worth trying again later (not before
    `retry_at` when USPS said when)."""

    def __init__(self, message: str, *, retry_at: datetime | None = None):
        super().__init__(message)
        self.retry_at = retry_at


class UspsClient:
    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        per_hour: int,
        timeout: float = 20.0,
        max_retries: int = 3,
        backoff: float = 1.0,
        max_retry_after: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.per_hour = per_hour
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.sleep = sleep
        self.session = session or requests.Session()

    # --- public calls -------------------------------------------------------------------

    def track(self, body: list[dict]) -> requests.Response:
        return self._authorised("tracking", f"{self.base_url}/tracking/v3r2/tracking", body)

    def proof_of_delivery(self, tracking_number: str, body: dict) -> requests.Response:
        number = quote(tracking_number, safe="")
        url = f"{self.base_url}/tracking/v3r2/tracking/{number}/proof-of-delivery"
        return self._authorised("pod", url, body)

    # --- internals ----------------------------------------------------------------------

    def _authorised(self, kind: str, url: str, body) -> requests.Response:
        for attempt in range(2):
            token = tokens.get_token(carrier=CARRIER, fetch=self._fetch_token)
            response = self._send(
                kind, url, json=body, headers={"Authorization": f"Bearer {token}"}
            )
            if response.status_code != 401 or attempt:
                return response
            # Forget only the token USPS refused: another worker may already hold a new one.
            tokens.forget_token(carrier=CARRIER, token=token)
        return response

    def _fetch_token(self) -> tuple[str, int]:
        response = self._send(
            "token",
            f"{self.base_url}/oauth2/v3/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
        )
        try:
            payload = response.json()
            token = payload["access_token"]
            expires_in = int(payload.get("expires_in", 28799))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CarrierUnavailable(
                f"USPS token request failed: HTTP {response.status_code}"
            ) from exc
        if response.status_code != 200 or not isinstance(token, str) or not token:
            raise CarrierUnavailable(f"USPS token request failed: HTTP {response.status_code}")
        return token, expires_in

    def _send(self, kind: str, url: str, **kwargs) -> requests.Response:
        last_problem = ""
        waited = False
        for attempt in range(self.max_retries + 1):
            if attempt and not waited:
                self._backoff(attempt)
            waited = False
            budget.take_slot(carrier=CARRIER, per_hour=self.per_hour, kind=kind)
            try:
                response = self.session.post(url, timeout=self.timeout, **kwargs)
            except requests.RequestException as exc:
                # Timeouts, refused connections, bodies cut short: all worth another try.
                last_problem = f"{type(exc).__name__}: {exc}"
                logger.warning("USPS %s attempt %d failed: %s", kind, attempt + 1, last_problem)
                continue
            if response.status_code == 429:
                wait = _retry_after(response)
                if wait > self.max_retry_after or attempt == self.max_retries:
                    until = timezone.now() + timedelta(seconds=wait)
                    budget.block_until(carrier=CARRIER, until=until)
                    raise CarrierUnavailable(
                        f"USPS rate limit: retry after {wait:.0f} s", retry_at=until
                    )
                logger.info("USPS 429: waiting %.1f s as Retry-After asks", wait)
                self.sleep(wait)
                waited = True
                last_problem = "HTTP 429"
                continue
            if response.status_code >= 500:
                last_problem = f"HTTP {response.status_code}"
                logger.warning("USPS %s attempt %d failed: %s", kind, attempt + 1, last_problem)
                continue
            return response
        raise CarrierUnavailable(
            f"USPS {kind} request failed after {self.max_retries + 1} attempts: {last_problem}"
        )

    def _backoff(self, attempt: int) -> None:
        delay = self.backoff * (2 ** (attempt - 1))
        self.sleep(delay + random.uniform(0, delay / 2))


def _retry_after(response: requests.Response) -> float:
    """Seconds to wait: Retry-After is delay-seconds or an HTTP date (RFC 9110); 60 if absent."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return 60.0
    try:
        return min(max(0.0, float(value)), MAX_RETRY_AFTER)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 60.0
    if when.tzinfo is None:  # "-0000": UTC with no source zone
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - timezone.now()).total_seconds()), MAX_RETRY_AFTER)
