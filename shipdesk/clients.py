"""Who is asking: the client's address, for limits counted per address (log-in, public POD)."""

from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    """REMOTE_ADDR, or, behind TRUSTED_PROXIES reverse proxies, the address the outermost
    trusted proxy saw: X-Forwarded-For read from the right, so a client cannot choose it."""
    hops = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if chain:
            return chain[-min(hops, len(chain))]
    return request.META.get("REMOTE_ADDR", "")
