"""Proof of delivery: how long one POD letter takes to render, and how fast passports are signed
and verified.

    .venv/bin/python bench/pod.py

A delivered shipment is made on a throwaway SQLite database the way a refresh makes one (a USPS
answer through the mapper and ingest), with a signing key generated for the run. Then:

* Letter: `tracking.pod.letter.pod_letter`, the whole path an agent's download takes (signed
  POD document, template, QR code, WeasyPrint PDF with the JSON attached), warm (after a few
  renders), timed one at a time. Floor, measured in the same run and interleaved with it so both
  see the same machine load: WeasyPrint writing a one-paragraph document with the same offline
  URL fetcher (and, like any caller that does not keep one, a fresh font configuration). Goals:
  letter median <= 150 ms, and <= 3x the floor's median.
* Passports: `tracking.pod.passport.passport_sign` and `passport_verify` on the real POD payload,
  each counted for a fixed time in several rounds (median round). Beside them: PyNaCl's bare
  Ed25519 sign and verify of the same bytes (the floor), and `pod_verify` (the verifier's whole
  document check: passport, readable fields, chain link). Goal: >= 5,000 per second each.

Times are wall-clock; CPU time per letter is printed beside them, since on a shared machine the
wall clock also counts other processes.
"""

from __future__ import annotations

import base64
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from _setup import figure, progress, table, throwaway_database

LETTERS = 60
WARM_UP = 5
ROUNDS = 5
ROUND_SECONDS = 1.0
LETTER_GOAL_MS = 150
RATIO_GOAL = 3
RATE_GOAL = 5_000
MINIMAL_HTML = "<p>A one-paragraph document: the least WeasyPrint can be asked to write.</p>"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def usps_event(code: str, text: str, when: datetime, recipient: str = "") -> dict:
    local = when.astimezone(timezone(timedelta(hours=-5)))
    return {
        "eventType": text,
        "eventTimestamp": local.isoformat(timespec="seconds"),
        "GMTTimestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventCode": code,
        "eventCity": "NEW YORK",
        "eventState": "NY",
        "eventZIPCode": "10001",
        "eventCountry": "US",
        "recipientName": recipient,
    }


def delivered_shipment():
    """A parcel USPS reports delivered an hour ago, stored the way a refresh stores it."""
    from shipdesk.services import partner_get_or_create
    from tracking.carriers.usps import mapper
    from tracking.numbers import with_impb_check_digit
    from tracking.services.ingest import shipments_ingest
    from tracking.services.shipments import shipment_create

    partner = partner_get_or_create(name="Bench Parcels")
    number = with_impb_check_digit("920559017554770000001")
    shipment = shipment_create(partner=partner, tracking_number=number)
    now = datetime.now(UTC).replace(microsecond=0)
    item = {
        "trackingNumber": number,
        "uniqueTrackingID": f"{number}-UTID",
        "mailClass": "Priority Mail",
        "destinationCity": "NEW YORK",
        "destinationState": "NY",
        "destinationZIPCode": "10001",
        "servicesEligibility": {"proofOfDeliveryEnabled": True, "RREEnabled": True},
        "trackingEvents": [
            usps_event("01", "Delivered, In/At Mailbox", now - timedelta(hours=1), "J SMITH"),
            usps_event("OF", "Out for Delivery", now - timedelta(hours=6)),
            usps_event("07", "Arrived at Post Office", now - timedelta(hours=8)),
            usps_event("03", "USPS in possession of item", now - timedelta(hours=40)),
        ],
    }
    shipments_ingest(pairs=[(shipment, mapper.parse_item(item))])
    shipment.refresh_from_db()
    return shipment


def time_letters(shipment) -> dict:
    from weasyprint import HTML

    from tracking.pod.letter import offline_fetcher, pod_letter

    def letter():
        return pod_letter(shipment=shipment).pdf

    def minimal():
        return HTML(string=MINIMAL_HTML, url_fetcher=offline_fetcher()).write_pdf()

    for _ in range(WARM_UP):
        letter()
        minimal()
    timings: dict[str, list[float]] = {"letter": [], "minimal": [], "letter_cpu": []}
    for i in range(LETTERS):
        wall, cpu = time.perf_counter(), time.process_time()
        size = len(letter())
        timings["letter"].append((time.perf_counter() - wall) * 1000)
        timings["letter_cpu"].append((time.process_time() - cpu) * 1000)
        wall = time.perf_counter()
        minimal()
        timings["minimal"].append((time.perf_counter() - wall) * 1000)
        if i % 20 == 19:
            progress(f"  {i + 1} letters rendered")
    timings["size"] = size
    return timings


def rate(action, seconds: float = ROUND_SECONDS) -> float:
    """Calls per second of `action`: the median of ROUNDS rounds of `seconds` each."""
    rates = []
    for _ in range(ROUNDS):
        count, start = 0, time.perf_counter()
        deadline = start + seconds
        while True:
            for _ in range(100):
                action()
            count += 100
            now = time.perf_counter()
            if now >= deadline:
                break
        rates.append(count / (now - start))
    return statistics.median(rates)


def time_passports(shipment) -> dict:
    from tracking.pod import pod_document, pod_verify, public_keys_document
    from tracking.pod.keys import signing_key
    from tracking.pod.passport import passport_sign, passport_verify

    document = pod_document(shipment=shipment)
    payload = {name: value for name, value in document.items() if name != "passport"}
    key = signing_key()
    keys = public_keys_document()
    passport = passport_sign(payload=payload, signing_key=key)
    message = base64.b64decode(passport["payload_b64"])
    signed = key.sign(message)
    verify_key = key.verify_key
    progress("  signing and verifying")
    return {
        "sign": rate(lambda: passport_sign(payload=payload, signing_key=key)),
        "verify": rate(lambda: passport_verify(passport=passport, keys=keys)),
        "pod_verify": rate(lambda: pod_verify(document=document, keys=keys)),
        "nacl_sign": rate(lambda: key.sign(message)),
        "nacl_verify": rate(lambda: verify_key.verify(signed)),
        "payload_bytes": len(message),
    }


def main() -> None:
    from nacl.signing import SigningKey

    # A key for this run only; the developer's key file is never read or written.
    scratch = tempfile.mkdtemp(prefix="shipdesk-bench-pod-")
    os.environ["POD_SIGNING_KEY"] = base64.b64encode(bytes(SigningKey.generate())).decode()
    os.environ["POD_SIGNING_KEY_FILE"] = str(Path(scratch) / "absent-key-file.json")
    with throwaway_database("sqlite") as label:
        progress(f"database: {label}")
        shipment = delivered_shipment()
        progress(f"rendering {WARM_UP} + {LETTERS} letters and as many one-paragraph documents")
        letters = time_letters(shipment)
        passports = time_passports(shipment)

    p50, p95 = (percentile(letters["letter"], q) for q in (0.5, 0.95))
    floor50, floor95 = (percentile(letters["minimal"], q) for q in (0.5, 0.95))
    cpu50 = percentile(letters["letter_cpu"], 0.5)
    print(f"POD letter, warm, {LETTERS} renders ({letters['size']:,} bytes each), wall clock:")
    print(
        table(
            ["document", "p50 ms", "p95 ms", "ratio p50"],
            [
                ["POD letter (signed POD, QR, PDF with pod.json)", p50, p95, p50 / floor50],
                ["one-paragraph WeasyPrint document (floor)", floor50, floor95, 1.0],
            ],
        )
    )
    ratio = p50 / floor50
    print(
        f"POD letter CPU time p50: {cpu50:.1f} ms; goals: p50 <= {LETTER_GOAL_MS} ms "
        f"({'met' if p50 <= LETTER_GOAL_MS else 'NOT met'}), p50 <= {RATIO_GOAL}x the floor's "
        f"({ratio:.1f}x, {'met' if ratio <= RATIO_GOAL else 'NOT met'})"
    )
    print()
    print(
        f"Passports ({passports['payload_bytes']:,}-byte canonical payload), median of "
        f"{ROUNDS} rounds of {ROUND_SECONDS:.0f} s:"
    )
    print(
        table(
            ["operation", "per second", "vs bare PyNaCl"],
            [
                ["passport_sign", passports["sign"], passports["sign"] / passports["nacl_sign"]],
                ["PyNaCl sign (floor)", passports["nacl_sign"], 1.0],
                [
                    "passport_verify",
                    passports["verify"],
                    passports["verify"] / passports["nacl_verify"],
                ],
                [
                    "pod_verify (whole document)",
                    passports["pod_verify"],
                    passports["pod_verify"] / passports["nacl_verify"],
                ],
                ["PyNaCl verify (floor)", passports["nacl_verify"], 1.0],
            ],
        )
    )
    met = min(passports["sign"], passports["verify"]) >= RATE_GOAL
    print(f"goal: >= {RATE_GOAL:,} signs and verifies per second ({'met' if met else 'NOT met'})")
    print()
    figure("pod_letter_p50_ms", p50, "ms")
    figure("pod_letter_p95_ms", p95, "ms")
    figure("pod_minimal_doc_p50_ms", floor50, "ms")
    figure("pod_letter_over_minimal", ratio, "x")
    figure("pod_sign_per_s", passports["sign"], "signs/s")
    figure("pod_verify_per_s", passports["verify"], "verifies/s")


if __name__ == "__main__":
    main()
