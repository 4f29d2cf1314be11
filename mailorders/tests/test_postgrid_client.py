"""End to end over real HTTP: PostGrid's official Python client (postgrid-python) against a
running shipdesk, in its own process, with only the base URL and the key changed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mailorders.models import Letter
from shipdesk.services import api_key_create
from tracking import numbers
from tracking.models import Shipment

DRIVER = Path(__file__).with_name("postgrid_client.py")


def test_postgrids_python_client_works_unchanged(
    live_server, partner, other_partner, settings, tmp_path
):
    settings.API_RATE_PER_SECOND = 10_000
    settings.MEDIA_ROOT = tmp_path
    _, key = api_key_create(partner=partner, name="postgrid client", is_test=True)
    _, other_key = api_key_create(partner=other_partner, name="other", is_test=True)
    run = subprocess.run(
        [sys.executable, str(DRIVER), live_server.url, key, other_key],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout)

    created = seen["created"]
    assert all(i.startswith("letter_") for i in created) and len(set(created)) == 5
    assert seen["to_ids"] == [seen["contact"]]  # inline contacts deduplicated onto the stored one
    first, again = seen["idempotent"]
    assert first == again
    assert Letter.objects.count() == 6

    assert seen["first_page"] == {"count": 2, "total": 6}
    assert sorted(seen["paged"]) == sorted([*created, first])  # every page followed by skip
    assert len(seen["paged"]) == 6
    assert seen["searched"] == [created[3]]

    assert seen["retrieved"] == {"id": created[0], "status": "ready", "live": False}
    assert seen["pdf"] == {"status": 200, "type": "application/pdf", "magic": "%PDF-"}

    assert seen["deleted"] == "cancelled"
    assert seen["cancelled"] == {"status": "cancelled", "note": "Sent twice"}
    assert seen["progressed"] == ["printing", "processed_for_delivery", "completed"]
    assert seen["progress_past_end"]["error"]["type"] == "invalid_progression_error"

    assert seen["postcard"]["size"] == "6x4" and seen["postcard"]["status"] == "ready"
    assert seen["postcard_cancelled"] == "cancelled"

    assert seen["cheque"]["amount"] == 12345
    assert seen["cheque"]["class"] == "usps_first_class_certified"
    processed = seen["cheque_processed"]
    assert processed["status"] == "processed_for_delivery"
    assert numbers.parse(processed["tracking_number"]).kind == "impb"
    assert Shipment.objects.get(tracking_number=processed["tracking_number"]).partner == partner
    assert seen["cheques"] == [seen["cheque"]["id"]]

    bad = seen["bad_request"]["error"]
    assert bad["type"] == "validation_error" and bad["field"] == "to.addressLine1"
    assert seen["not_found"]["error"]["type"] == "not_found_error"
    assert seen["other_partner"] == "not found" and seen["other_partner_list"] == 0
