"""The IMb scan feed: a JSON or CSV file through `manage.py imb_feed`, or POST /mail/imb-feed."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from mailorders.models import Letter
from shipdesk.webhooks.models import WebhookEvent

from .conftest import ok, url

TOKEN = "feed-token-0123456789abcdef"


@pytest.fixture
def letter(create_letter):
    return create_letter()


def scan(
    order_id: str,
    status: str = "entered_mail_stream",
    date="2026-03-02T10:15:00-05:00",
    zip_code="10013",
):
    return {"id": order_id, "imbStatus": status, "imbDate": date, "imbZIPCode": zip_code}


def run(path) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("imb_feed", str(path), stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_a_json_feed_sets_the_imb_fields_shown_by_the_api(api, letter, tmp_path):
    feed = tmp_path / "scans.json"
    feed.write_text(json.dumps([scan(letter["id"])]))
    assert "1 scans applied" in run(feed)
    shown = ok(api.get(url("letters", letter["id"])))
    assert shown["imbStatus"] == "entered_mail_stream"
    assert shown["imbDate"] == "2026-03-02T15:15:00.000Z"
    assert shown["imbZIPCode"] == "10013"
    assert WebhookEvent.objects.filter(type="letter.updated").count() == 1


def test_a_csv_feed_and_out_of_order_scans(letter, tmp_path):
    feed = tmp_path / "scans.csv"
    feed.write_text(
        "id,imbStatus,imbDate,imbZIPCode\n"
        f"{letter['id']},out_for_delivery,2026-03-03T08:00:00-05:00,10013\n"
        f"{letter['id']},entered_mail_stream,2026-03-02T10:00:00-05:00,07097\n"
        "letter_nope,out_for_delivery,2026-03-03T08:00:00-05:00,10013\n"
    )
    output = run(feed)
    assert "1 scans applied, 1 older scans ignored, 1 refused" in output
    assert "letter_nope: no such order" in output
    stored = Letter.objects.get()
    assert (stored.imb_status, stored.imb_zip_code) == ("out_for_delivery", "10013")


@pytest.mark.parametrize(
    ("record", "says"),
    [
        ({"imbStatus": "delivered"}, "scan 0.imbStatus"),
        ({"imbDate": "yesterday"}, "scan 0.imbDate"),
        ({"imbDate": "2026-03-02T10:00:00"}, "scan 0.imbDate"),  # no offset
        ({"imbDate": "2026-13-45T10:00:00Z"}, "scan 0.imbDate"),
        ({"imbZIPCode": "ABCDE"}, "scan 0.imbZIPCode"),
        ({"id": ""}, "scan 0.id"),
    ],
)
def test_a_bad_record_refuses_the_whole_feed_naming_it(letter, tmp_path, record, says):
    feed = tmp_path / "scans.json"
    feed.write_text(json.dumps([{**scan(letter["id"]), **record}]))
    with pytest.raises(CommandError, match=says):
        run(feed)
    assert Letter.objects.get().imb_status == ""


def test_a_cancelled_order_takes_no_scan(api, letter, tmp_path):
    ok(api.delete(url("letters", letter["id"])))
    feed = tmp_path / "scans.json"
    feed.write_text(json.dumps({"scans": [scan(letter["id"])]}))
    assert "the order is cancelled" in run(feed)
    assert Letter.objects.get().imb_status == ""


def test_an_unreadable_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(CommandError, match="not valid JSON"):
        run(bad)


@pytest.fixture
def feed_client(settings):
    settings.IMB_FEED_TOKEN = TOKEN
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    return client


def test_the_endpoint_takes_json_and_csv(feed_client, letter):
    response = feed_client.post("/mail/imb-feed", [scan(letter["id"])], format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"applied": 1, "ignored": 0, "errors": []}
    csv_body = (
        "id,imbStatus,imbDate,imbZIPCode\n"
        f"{letter['id']},returned_to_sender,2026-03-09T09:00:00Z,\n"
    )
    response = feed_client.post("/mail/imb-feed", csv_body, content_type="text/csv")
    assert response.json() == {"applied": 1, "ignored": 0, "errors": []}
    assert Letter.objects.get().imb_status == "returned_to_sender"


def test_the_endpoint_refuses_without_the_token(settings, letter):
    client = APIClient()
    settings.IMB_FEED_TOKEN = ""
    response = client.post("/mail/imb-feed", [scan(letter["id"])], format="json")
    assert response.status_code == 403 and "not enabled" in response.json()["error"]["message"]
    settings.IMB_FEED_TOKEN = TOKEN
    for header in ("", "Bearer wrong", f"Token {TOKEN}x"):
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.post("/mail/imb-feed", [], format="json").status_code == 401
    assert Letter.objects.get().imb_status == ""


def test_the_endpoint_names_a_bad_record(feed_client, letter):
    response = feed_client.post("/mail/imb-feed", {"scans": [{"id": letter["id"]}]}, format="json")
    assert response.status_code == 400
    assert "scan 0.imbStatus" in response.json()["error"]["message"]
    for raw, kind in (
        (b"{", "application/json"),
        (b"\xff\xfe", "text/csv"),
        (b"a,b\n1,2", "text/csv"),
    ):
        response = feed_client.post("/mail/imb-feed", raw, content_type=kind)
        assert response.status_code == 400, response.content
