"""Partners' courier connections: their own USPS app credentials, sealed at rest, and the
carrier their trackings and proofs of delivery are asked through.

A partner with a USPS connection is tracked with its app's token and hourly quota (one budget
per app, as for a shipper account's labels); everyone else with the installation's. Each
connection remembers its last success and its last error for the managers in admin.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from shipdesk.audit import Actor, audit_record
from shipdesk.sealing import SealedUnreadable, seal, unseal
from tracking.carriers import registry
from tracking.carriers.base import Carrier, ProofAnswer, ProofRequest, TrackRequest, TrackResult
from tracking.carriers.budget import BudgetExhausted
from tracking.carriers.usps.client import UspsClient, app_keys
from tracking.models import CourierConnection

COURIERS = ("usps",)
CREDENTIAL_FIELDS = ("client_id", "client_secret")
MAX_CREDENTIAL_LENGTH = 500


class CourierConnectionError(Exception):
    """`field` is refused; `missing` when it was not sent at all (else its value is wrong)."""

    def __init__(self, message: str, *, field: str, missing: bool = False):
        super().__init__(message)
        self.field = field
        self.missing = missing


class ConnectionExists(CourierConnectionError):
    """The partner already has a connection to this courier (one each)."""


def credentials_checked(credentials) -> dict[str, str]:
    """USPS's consumer key and secret, as `{"client_id", "client_secret"}`, both required."""
    if not isinstance(credentials, dict):
        raise CourierConnectionError("must be an object.", field="credentials")
    for name in credentials:
        if name not in CREDENTIAL_FIELDS:
            raise CourierConnectionError(
                "is not a USPS credential (client_id, client_secret).",
                field=f"credentials.{name}",
            )
    for name in CREDENTIAL_FIELDS:
        if name not in credentials:
            raise CourierConnectionError("is required.", field=name, missing=True)
        value = credentials[name]
        if not isinstance(value, str):
            raise CourierConnectionError("must be a string.", field=name)
        if not value.strip():
            raise CourierConnectionError("may not be blank.", field=name)
        if len(value) > MAX_CREDENTIAL_LENGTH:
            raise CourierConnectionError(
                f"must be at most {MAX_CREDENTIAL_LENGTH} characters.", field=name
            )
    return {name: credentials[name].strip() for name in CREDENTIAL_FIELDS}


def masked(connection: CourierConnection) -> dict[str, str]:
    """What a partner sees of its credentials: the key's last four characters, no secret."""
    try:
        client_id = unseal(connection.client_id_sealed)
    except SealedUnreadable:
        client_id = ""
    return {"client_id": "****" + client_id[-4:], "client_secret": "********"}


def connection_create(
    *, connection: CourierConnection, credentials, actor: Actor
) -> CourierConnection:
    """Save a new connection (its partner and courier set) with these credentials, sealed."""
    if connection.courier_slug not in COURIERS:
        raise CourierConnectionError(
            f"{connection.courier_slug!r} is not a courier shipdesk connects to (usps).",
            field="courier_slug",
        )
    values = credentials_checked(credentials)
    _seal_into(connection, values)
    try:
        with transaction.atomic():
            connection.save()
            _audit(actor, "courier_connection.create", "Courier connection created", connection)
    except IntegrityError as exc:
        existing = CourierConnection.objects.filter(
            partner_id=connection.partner_id, courier_slug=connection.courier_slug
        )
        found = existing.values_list("public_id", flat=True).first()
        raise ConnectionExists(
            f"this account already has a {connection.courier_slug} connection ({found}): "
            "update it.",
            field="courier_slug",
        ) from exc
    return connection


def connection_update(
    *, connection: CourierConnection, credentials, actor: Actor
) -> CourierConnection:
    values = credentials_checked(credentials)
    _seal_into(connection, values)
    connection.updated_at = timezone.now()
    # New credentials, new record: the old app's errors say nothing about this one.
    connection.last_error, connection.last_error_at, connection.last_success_at = "", None, None
    with transaction.atomic():
        connection.save()
        _audit(
            actor, "courier_connection.update", "Courier connection credentials changed", connection
        )
    return connection


def connection_delete(*, connection: CourierConnection, actor: Actor) -> None:
    with transaction.atomic():
        _audit(actor, "courier_connection.delete", "Courier connection deleted", connection)
        connection.delete()


def connection_credentials(connection: CourierConnection) -> tuple[str, str]:
    """The consumer key and secret (SealedUnreadable after a lost SECRET_KEY)."""
    return unseal(connection.client_id_sealed), unseal(connection.client_secret_sealed)


def usps_client_for_connection(connection: CourierConnection, **options) -> UspsClient:
    client_id, client_secret = connection_credentials(connection)
    base_url = settings.USPS_BASE_URL
    budget_key, token_key = app_keys(base_url, client_id, client_secret)
    return UspsClient(
        base_url=base_url,
        client_id=client_id,
        client_secret=client_secret,
        per_hour=connection.requests_per_hour or settings.USPS_REQUESTS_PER_HOUR,
        timeout=options.pop("timeout", settings.USPS_TIMEOUT_SECONDS),
        max_retries=options.pop("max_retries", settings.USPS_MAX_RETRIES),
        token_key=token_key,
        budget_key=budget_key,
        **options,
    )


def carrier_for(*, partner_id: int, slug: str) -> Carrier:
    """The carrier one partner's shipments of `slug` are asked through."""
    connection = CourierConnection.objects.filter(partner_id=partner_id, courier_slug=slug).first()
    if connection is None:
        return registry.get_carrier(slug)
    return connection_carrier(connection)


def refresh_scopes(slug: str, default: Carrier) -> list[tuple[Carrier, Q | None]]:
    """(carrier, which shipments) for a refresh pass: each connection's partner through its
    own app, then everyone else through `default`."""
    connections = list(CourierConnection.objects.filter(courier_slug=slug).order_by("id"))
    if not connections:
        return [(default, None)]
    scopes = [(connection_carrier(c), Q(partner_id=c.partner_id)) for c in connections]
    scopes.append((default, ~Q(partner_id__in=[c.partner_id for c in connections])))
    return scopes


def connection_carrier(connection: CourierConnection, **options) -> Carrier:
    """The carrier that asks USPS with the connection's app, recording how each ask went.
    Credentials sealed under a lost SECRET_KEY track nothing (never on another app): each
    shipment and the connection say why."""
    from tracking.carriers.usps.carrier import UspsCarrier

    try:
        inner = UspsCarrier(usps_client_for_connection(connection, **options))
    except SealedUnreadable as exc:
        inner = UnusableCarrier(f"The courier connection's credentials are unreadable: {exc}")
    return ConnectionCarrier(connection, inner)


class UnusableCarrier:
    """USPS that cannot be asked: every answer is `message`."""

    slug, name, batch_size, simulated, time_scale = "usps", "USPS", 35, False, 1.0

    def __init__(self, message: str):
        self.message = message

    def track(self, requests: list[TrackRequest]) -> list[TrackResult]:
        return [
            TrackResult(r.tracking_number, error=self.message, request_failed=True)
            for r in requests
        ]

    def request_proof_of_delivery(self, request: ProofRequest) -> ProofAnswer:
        return ProofAnswer(False, self.message)


class ConnectionCarrier:
    """A carrier speaking for one courier connection: the same answers, and the connection's
    last success or error written down (its credentials refused, its quota spent, USPS down)."""

    def __init__(self, connection: CourierConnection, carrier: Carrier):
        self.connection = connection
        self.carrier = carrier
        self.slug, self.name = carrier.slug, carrier.name
        self.batch_size, self.simulated = carrier.batch_size, carrier.simulated
        self.time_scale = carrier.time_scale

    def track(self, requests: list[TrackRequest]) -> list[TrackResult]:
        try:
            results = self.carrier.track(requests)
        except BudgetExhausted as exc:
            connection_outcome(self.connection, error=str(exc))
            raise
        # What USPS says of a number (not found, say) is no fault of the connection's.
        if results and all(r.request_failed for r in results):
            connection_outcome(self.connection, error=results[0].error)
        else:
            connection_outcome(self.connection)
        return results

    def request_proof_of_delivery(self, request: ProofRequest) -> ProofAnswer:
        answer = self.carrier.request_proof_of_delivery(request)
        if answer.retryable:
            connection_outcome(self.connection, error=answer.message)
        else:
            connection_outcome(self.connection)
        return answer


def connection_outcome(connection: CourierConnection, *, error: str = "") -> None:
    now = timezone.now()
    if error:
        changes = {"last_error": error[:2000], "last_error_at": now}
    else:
        changes = {"last_success_at": now}
    CourierConnection.objects.filter(pk=connection.pk).update(**changes)
    for name, value in changes.items():
        setattr(connection, name, value)


def _seal_into(connection: CourierConnection, values: dict[str, str]) -> None:
    connection.client_id_sealed = seal(values["client_id"])
    connection.client_secret_sealed = seal(values["client_secret"])


def _audit(actor: Actor, action: str, summary: str, connection: CourierConnection) -> None:
    audit_record(
        actor=actor,
        action=action,
        summary=f"{summary}: {connection}",
        targets=[connection],
        detail={"courier_slug": connection.courier_slug, "partner": connection.partner_id},
    )
