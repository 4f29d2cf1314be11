"""Pure USPS proof-of-delivery mapping: build the POD/RRE request, read USPS's answer.

`POST /tracking/v3r2/tracking/{trackingNumber}/proof-of-delivery` takes `uniqueTrackingID`
(required), `mailingDate`, `letterType` (PROOF_OF_DELIVERY by default, or
RETURN_RECEIPT_ELECTRONIC), 1 to 3 `recipients` of `{email, firstName, lastName}` and an optional
`CRID`; USPS answers 202 and e-mails the record itself.
"""

from __future__ import annotations

from tracking.carriers.base import ProofAnswer, ProofRequest

MAX_RECIPIENTS = 3
PROOF_OF_DELIVERY = "PROOF_OF_DELIVERY"
RETURN_RECEIPT_ELECTRONIC = "RETURN_RECEIPT_ELECTRONIC"


def build_pod_request(request: ProofRequest) -> dict:
    """The JSON body USPS expects; ValueError names what is missing."""
    if not request.unique_tracking_id:
        raise ValueError("uniqueTrackingID is required (USPS gives it in the tracking answer).")
    if not 1 <= len(request.recipients) <= MAX_RECIPIENTS:
        raise ValueError(f"A proof of delivery goes to 1 to {MAX_RECIPIENTS} recipients.")
    body: dict = {
        "uniqueTrackingID": request.unique_tracking_id,
        "letterType": RETURN_RECEIPT_ELECTRONIC if request.return_receipt else PROOF_OF_DELIVERY,
        "recipients": [
            {"email": r.email, "firstName": r.first_name, "lastName": r.last_name}
            for r in request.recipients
        ],
    }
    if request.mailing_date:
        body["mailingDate"] = request.mailing_date.isoformat()
    if request.crid:
        body["CRID"] = request.crid
    return body


def parse_pod_response(status: int, body) -> ProofAnswer:
    """202 is USPS's yes; anything else is a refusal carrying USPS's own words when it gave any."""
    detail = error_message(body)
    if status in (200, 201, 202):
        return ProofAnswer(
            accepted=True, message=detail or f"USPS accepted the request (HTTP {status})."
        )
    return ProofAnswer(
        accepted=False,
        message=f"USPS refused the request (HTTP {status}): " + (detail or "no detail given"),
    )


def error_message(body) -> str:
    """USPS's message from its error envelope (`error.message` and `error.errors[].detail`)."""
    if not isinstance(body, dict):
        return ""
    error = body.get("error")
    if isinstance(error, dict):
        parts = [str(error.get("message") or error.get("code") or "")]
        for item in error.get("errors") or []:
            if isinstance(item, dict):
                parts.append(str(item.get("detail") or item.get("title") or ""))
        return "; ".join(p for p in parts if p)
    return str(error or body.get("message") or "")
