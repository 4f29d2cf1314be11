"""Why a POD cannot be issued: each error carries its public code and HTTP status."""

from __future__ import annotations


class PodError(Exception):
    code = "pod_error"
    http_status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class PodNotDelivered(PodError):
    """The shipment has no recorded delivery: a POD is never issued before one."""

    code = "not_delivered"
    http_status = 409


class PodOutsideRetention(PodError):
    """The event detail is past the retention window (or already purged): permanently gone."""

    code = "pod_outside_retention"
    http_status = 410


class PodSigningUnavailable(PodError):
    """No signing key is configured on this server."""

    code = "pod_signing_unavailable"
    http_status = 503


class PodMalformedUUID(PodError):
    code = "malformed_uuid"
    http_status = 400


class PodNotFound(PodError):
    code = "not_found"
    http_status = 404


class PodKeysUnavailable(PodError):
    code = "keys_unavailable"
    http_status = 503
