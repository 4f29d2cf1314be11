"""USPS as a shipdesk carrier: the client's HTTP and the mapper's translation."""

from __future__ import annotations

import logging

from tracking.carriers.base import ProofAnswer, ProofRequest, TrackRequest, TrackResult
from tracking.carriers.budget import BudgetExhausted
from tracking.carriers.usps import mapper, pod_mapper
from tracking.carriers.usps.client import CarrierUnavailable, UspsClient

logger = logging.getLogger(__name__)


class UspsCarrier:
    slug = "usps"
    name = "USPS"
    batch_size = mapper.BATCH_SIZE
    simulated = False
    time_scale = 1.0

    def __init__(self, client: UspsClient):
        self.client = client

    def track(self, requests: list[TrackRequest]) -> list[TrackResult]:
        numbers = [r.tracking_number for r in requests]
        try:
            response = self.client.track(mapper.build_tracking_request(requests))
        except CarrierUnavailable as exc:
            return [
                TrackResult(n, error=str(exc), retryable=True, request_failed=True) for n in numbers
            ]
        try:
            return _read(response, numbers)
        except Exception as exc:
            # The request is already paid for from the hourly budget: record the failure on
            # each number (looked at again hours later) rather than fail the batch, whose
            # retry minutes later would pay for the same answer again.
            logger.exception("Could not read USPS's answer for %d numbers", len(numbers))
            error = f"USPS answer unreadable ({type(exc).__name__})"
            return [TrackResult(n, error=error, request_failed=True) for n in numbers]

    def request_proof_of_delivery(self, request: ProofRequest) -> ProofAnswer:
        body = pod_mapper.build_pod_request(request)
        try:
            response = self.client.proof_of_delivery(request.tracking_number, body)
        except BudgetExhausted as exc:
            return ProofAnswer(False, str(exc), retryable=True, retry_at=exc.retry_at)
        except CarrierUnavailable as exc:
            return ProofAnswer(False, str(exc), retryable=True, retry_at=exc.retry_at)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        return pod_mapper.parse_pod_response(response.status_code, answer)


def _read(response, numbers: list[str]) -> list[TrackResult]:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
        if status in (200, 207):
            logger.warning("USPS answered HTTP %s with a body that is not JSON", status)
            error = f"USPS answer malformed (HTTP {status}): not JSON"
            return [TrackResult(n, error=error, request_failed=True) for n in numbers]
    if status not in (200, 207):
        message = _error_message(body) or f"HTTP {status}"
        error = f"USPS refused the request: {message}"
        return [TrackResult(n, error=error, request_failed=True) for n in numbers]
    return mapper.parse_tracking_response(body, numbers)


def _error_message(body) -> str:
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or error.get("code") or "")
        return str(error or body.get("message") or "")
    return ""
