"""USPS APIs v3 over HTTP: OAuth token, tracking and proof-of-delivery requests, and the one
`call` the outbound APIs (addresses, prices, payments, labels, SCAN forms) go through.

HTTP only: every request first takes a slot of the shared hourly budget; timeouts, connection
errors and 5xx answers are retried with exponential backoff and jitter; a 429 waits for its
Retry-After (or, when that is long, blocks every worker until then); a 401 drops the token USPS
refused (and the payment token, for a paid call) and tries once more.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
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
    `retry_at` when USPS said when).

    `outcome_unknown` says a request may have reached USPS without its answer reaching us (a
    read timeout, a cut body, a 5xx): a purchase may have happened and must be reconciled.
    """

    def __init__(
        self, message: str, *, retry_at: datetime | None = None, outcome_unknown: bool = False
    ):
        super().__init__(message)
        self.retry_at = retry_at
        self.outcome_unknown = outcome_unknown


class CredentialsRefused(CarrierUnavailable):
    """USPS refused the app's consumer key and secret (OAuth 4xx): USPS's own words kept."""

    def __init__(self, status: int, message: str):
        super().__init__(
            f"USPS token request failed: credentials refused (HTTP {status}): {message}"
        )
        self.status = status
        self.usps_message = message


@dataclass(frozen=True)
class Call:
    """One request of `UspsClient.call_all`."""

    kind: str
    method: str
    path: str
    params: dict | None = None
    json: object = None
    headers: dict = field(default_factory=dict)


_POOL_LOCK = threading.Lock()
_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    """Threads that only send HTTP (never touch the database), shared by the process."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="usps-http")
        return _POOL


@dataclass(frozen=True)
class PaymentTokens:
    """Where a paid call gets its X-Payment-Authorization-Token, and how a refused one is
    dropped (see tracking.carriers.usps.payments)."""

    get: Callable[[], str]
    forget: Callable[[str], None]


def app_keys(base_url: str, client_id: str, client_secret: str) -> tuple[str, str]:
    """(budget_key, token_key) of a USPS app: one hourly budget per app, whatever uses it, and
    one cached token per app and secret (a corrected secret never gets the old one's token)."""

    def key(*parts: str) -> str:
        return "usps:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]

    return key(base_url, client_id), key(base_url, client_id, client_secret)


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
        token_key: str = CARRIER,
        budget_key: str = CARRIER,
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
        # Rows of the shared token cache and hourly budget: one per USPS app (credentials).
        self.token_key = token_key
        self.budget_key = budget_key

    # --- public calls -------------------------------------------------------------------

    def token(self) -> str:
        """A live OAuth token of this app (the shared cached one, or a new one)."""
        return tokens.get_token(carrier=self.token_key, fetch=self._fetch_token)

    def track(self, body: list[dict]) -> requests.Response:
        return self._authorised("tracking", f"{self.base_url}/tracking/v3r2/tracking", body)

    def proof_of_delivery(self, tracking_number: str, body: dict) -> requests.Response:
        number = quote(tracking_number, safe="")
        url = f"{self.base_url}/tracking/v3r2/tracking/{number}/proof-of-delivery"
        return self._authorised("pod", url, body)

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        json=None,
        params: dict | None = None,
        headers: dict | None = None,
        payment: PaymentTokens | None = None,
    ) -> requests.Response:
        """One authorised request to `{base_url}{path}`; with `payment`, a paid one."""
        for attempt in range(2):
            token = tokens.get_token(carrier=self.token_key, fetch=self._fetch_token)
            sent = {"Authorization": f"Bearer {token}", **(headers or {})}
            paid = ""
            if payment is not None:
                paid = payment.get()
                sent["X-Payment-Authorization-Token"] = paid
            response = self._send(
                kind,
                f"{self.base_url}{path}",
                method=method,
                json=json,
                params=params,
                headers=sent,
            )
            if response.status_code != 401 or attempt:
                return response
            # Forget only the tokens USPS refused: another worker may already hold new ones.
            tokens.forget_token(carrier=self.token_key, token=token)
            if payment is not None:
                payment.forget(paid)
        return response

    def call_all(self, calls: list[Call]) -> list[requests.Response | Exception]:
        """Several requests that change nothing at USPS (searches, lookups: a lost answer is
        simply asked again) sent at once: one token, the budget's slots taken together,
        the HTTP in parallel threads (no database work in them). Any answer the fast path
        cannot take as it is (a transport error or 5xx when retries are allowed, 401, 429) is
        sent again through `call`, with its retries. Each result is the response, or the
        CarrierUnavailable / BudgetExhausted that request ended in."""
        token = tokens.get_token(carrier=self.token_key, fetch=self._fetch_token)
        budget.take_slots(
            carrier=self.budget_key, per_hour=self.per_hour, kinds=[c.kind for c in calls]
        )
        futures = [_pool().submit(self._send_once, c, token) for c in calls]
        results: list[requests.Response | Exception] = []
        for call, future in zip(calls, futures, strict=True):
            response = future.result()
            failed = response is None or response.status_code >= 500
            if failed and not self.max_retries:
                problem = "no answer" if response is None else f"HTTP {response.status_code}"
                response = CarrierUnavailable(f"USPS {call.kind} request failed: {problem}")
            elif failed or response.status_code in (401, 429):
                try:
                    response = self.call(
                        call.kind,
                        call.method,
                        call.path,
                        json=call.json,
                        params=call.params,
                        headers=call.headers,
                    )
                except (CarrierUnavailable, budget.BudgetExhausted) as exc:
                    response = exc
            results.append(response)
        return results

    def _send_once(self, call: Call, token: str) -> requests.Response | None:
        try:
            return self.session.request(
                call.method,
                f"{self.base_url}{call.path}",
                timeout=self.timeout,
                params=call.params,
                json=call.json,
                headers={"Authorization": f"Bearer {token}", **call.headers},
            )
        except requests.RequestException as exc:
            logger.warning("USPS %s request failed: %s", call.kind, exc)
            return None

    # --- internals ----------------------------------------------------------------------

    def _authorised(self, kind: str, url: str, body) -> requests.Response:
        return self.call(kind, "POST", url.removeprefix(self.base_url), json=body)

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
        except ValueError:
            payload = None
        if 400 <= response.status_code < 500 and isinstance(payload, dict):
            described = payload.get("error_description") or payload.get("error")
            if isinstance(described, dict):  # USPS's ErrorMessage shape
                described = described.get("message")
            raise CredentialsRefused(response.status_code, str(described or "no reason given"))
        try:
            token = payload["access_token"]
            expires_in = int(payload.get("expires_in", 28799))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CarrierUnavailable(
                f"USPS token request failed: HTTP {response.status_code}"
            ) from exc
        if response.status_code != 200 or not isinstance(token, str) or not token:
            raise CarrierUnavailable(f"USPS token request failed: HTTP {response.status_code}")
        return token, expires_in

    def _send(self, kind: str, url: str, *, method: str = "POST", **kwargs) -> requests.Response:
        last_problem = ""
        waited = False
        unknown = False
        for attempt in range(self.max_retries + 1):
            if attempt and not waited:
                self._backoff(attempt)
            waited = False
            budget.take_slot(carrier=self.budget_key, per_hour=self.per_hour, kind=kind)
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except requests.RequestException as exc:
                # Timeouts, refused connections, bodies cut short: all worth another try.
                last_problem = f"{type(exc).__name__}: {exc}"
                # Only a connect timeout surely never reached USPS.
                unknown = unknown or not isinstance(exc, requests.ConnectTimeout)
                logger.warning("USPS %s attempt %d failed: %s", kind, attempt + 1, last_problem)
                continue
            if response.status_code == 429:
                wait = _retry_after(response)
                if wait > self.max_retry_after or attempt == self.max_retries:
                    until = timezone.now() + timedelta(seconds=wait)
                    budget.block_until(carrier=self.budget_key, until=until)
                    raise CarrierUnavailable(
                        f"USPS rate limit: retry after {wait:.0f} s",
                        retry_at=until,
                        outcome_unknown=unknown,
                    )
                logger.info("USPS 429: waiting %.1f s as Retry-After asks", wait)
                self.sleep(wait)
                waited = True
                last_problem = "HTTP 429"
                continue
            if response.status_code >= 500:
                unknown = True
                last_problem = f"HTTP {response.status_code}"
                logger.warning("USPS %s attempt %d failed: %s", kind, attempt + 1, last_problem)
                continue
            return response
        raise CarrierUnavailable(
            f"USPS {kind} request failed after {self.max_retries + 1} attempts: {last_problem}",
            outcome_unknown=unknown,
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
