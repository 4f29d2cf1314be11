"""HTTP to a PostGrid-compatible print-mail provider, through PostGrid's official client
(postgrid-python). One call per attempt (the client's own retries are off: shipdesk retries
from its database, so a retry survives a restart); every failure becomes a `ProviderCallError`
saying whether it is worth retrying and when."""

from __future__ import annotations

import email.utils
import functools
import time
from dataclasses import dataclass

import postgrid
from django.conf import settings

RESOURCES = {"letter": "letters", "postcard": "postcards", "self_mailer": "self_mailers"}


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    base_url: str
    api_key: str
    webhook_secret: str
    timeout: float


class UnknownProvider(LookupError):
    pass


def provider_config(name: str) -> ProviderConfig:
    """The provider named `name` in PRINT_PROVIDERS (settings, from the environment)."""
    entry = settings.PRINT_PROVIDERS.get(name)
    if entry is None:
        raise UnknownProvider(f"No print-mail provider `{name}` is configured (PRINT_PROVIDERS).")
    return ProviderConfig(
        name=name,
        base_url=entry["BASE_URL"],
        api_key=entry["API_KEY"],
        webhook_secret=entry["WEBHOOK_SECRET"],
        timeout=entry["TIMEOUT_SECONDS"],
    )


class ProviderCallError(Exception):
    """A call the provider did not answer with success. `retryable`: a later attempt may
    succeed (timeouts, connection errors, 401/403, 408, 409, 429, 5xx); `retry_after`: the
    seconds the provider asked to wait (429/503 Retry-After)."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        http_status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.retryable = retryable
        self.http_status = http_status
        self.retry_after = retry_after


def _client(config: ProviderConfig) -> postgrid.PostGrid:
    return _cached_client(config.base_url, config.api_key, config.timeout)


@functools.lru_cache(maxsize=16)
def _cached_client(base_url: str, api_key: str, timeout: float) -> postgrid.PostGrid:
    """One client (and its connection pool) per provider and process: making one costs about
    a tenth of a second (its TLS context), more than most calls. Clients are thread-safe."""
    return postgrid.PostGrid(
        print_mail_api_key=api_key or "unset",
        base_url=base_url,
        timeout=timeout,
        max_retries=0,
    )


def order_create(config: ProviderConfig, *, object_name: str, params: dict) -> dict:
    """Create the order at the provider; its answer as PostGrid's JSON (camelCase)."""
    resource = getattr(_client(config).print_mail, RESOURCES[object_name])
    return _call(config, "create the order", lambda: resource.create(**params))


def order_retrieve(config: ProviderConfig, *, object_name: str, provider_id: str) -> dict:
    resource = getattr(_client(config).print_mail, RESOURCES[object_name])
    return _call(config, "read the order", lambda: resource.retrieve(provider_id))


def order_cancel(config: ProviderConfig, *, object_name: str, provider_id: str) -> dict:
    """PostGrid's DELETE: cancel an order that has not started printing."""
    resource = getattr(_client(config).print_mail, RESOURCES[object_name])
    return _call(config, "cancel the order", lambda: resource.delete(provider_id))


def _call(config: ProviderConfig, action: str, call) -> dict:
    who = f"Print-mail provider `{config.name}`"
    try:
        return call().to_dict(mode="json")
    except postgrid.APITimeoutError as exc:
        raise ProviderCallError(
            f"{who} did not answer within {config.timeout:g} s.", retryable=True
        ) from exc
    except postgrid.APIConnectionError as exc:
        raise ProviderCallError(
            f"{who} could not be reached at {config.base_url}: {exc.__cause__ or exc}.",
            retryable=True,
        ) from exc
    except postgrid.APIStatusError as exc:
        raise _status_error(who, config, action, exc) from exc


def _status_error(who: str, config: ProviderConfig, action: str, exc) -> ProviderCallError:
    status = exc.status_code
    said = _error_message(exc.body)
    if status in (401, 403):
        message = (
            f"{who} refused the API key ({status}): check "
            f"PRINT_PROVIDER_{config.name.upper()}_API_KEY."
        )
    elif status == 429:
        message = f"{who} is rate limiting shipdesk (429)."
    elif status >= 500:
        message = f"{who} failed ({status})."
    else:
        message = f"{who} refused to {action} ({status})."
    if said:
        message += f" It said: {said}"
    return ProviderCallError(
        message,
        retryable=status in (401, 403, 408, 409, 429) or status >= 500,
        http_status=status,
        retry_after=_retry_after(exc.response.headers.get("Retry-After")),
    )


def _error_message(body) -> str:
    """PostGrid's `{"error": {"type", "message"}}`, or the text it sent."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"][:500]
        return ""
    return str(body)[:200] if body else ""


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (a number, or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
