"""Which carrier answers for a slug: USPS when credentials are set, else the sandbox."""

from __future__ import annotations

from django.conf import settings

from tracking.carriers.base import Carrier


def usps_configured() -> bool:
    return bool(settings.USPS_CLIENT_ID and settings.USPS_CLIENT_SECRET)


def get_carrier(slug: str) -> Carrier:
    if slug != "usps":
        raise LookupError(f"No carrier for slug {slug!r}.")
    if usps_configured():
        from tracking.carriers.usps.carrier import UspsCarrier
        from tracking.carriers.usps.client import UspsClient

        return UspsCarrier(
            UspsClient(
                base_url=settings.USPS_BASE_URL,
                client_id=settings.USPS_CLIENT_ID,
                client_secret=settings.USPS_CLIENT_SECRET,
                per_hour=settings.USPS_REQUESTS_PER_HOUR,
                timeout=settings.USPS_TIMEOUT_SECONDS,
                max_retries=settings.USPS_MAX_RETRIES,
            )
        )
    from tracking.carriers.sandbox.carrier import SandboxCarrier

    return SandboxCarrier(time_scale=settings.SANDBOX_TIME_SCALE)


def usps_standards():
    """USPS Service Standards when credentials are set (else None): an interactive lookup, so
    a short timeout and no retries; the token cache and the hourly budget are the tracking
    client's."""
    if not usps_configured():
        return None
    from tracking.carriers.usps.client import UspsClient
    from tracking.carriers.usps.standards import UspsStandards

    return UspsStandards(
        UspsClient(
            base_url=settings.USPS_BASE_URL,
            client_id=settings.USPS_CLIENT_ID,
            client_secret=settings.USPS_CLIENT_SECRET,
            per_hour=settings.USPS_REQUESTS_PER_HOUR,
            timeout=min(settings.USPS_TIMEOUT_SECONDS, 5.0),
            max_retries=0,
        )
    )


SUPPORTED_SLUGS = ["usps"]
