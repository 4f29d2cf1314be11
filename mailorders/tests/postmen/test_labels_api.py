"""/postmen/v3/: labels and manifests in Postmen's envelope, per-field details, isolation."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.conf import settings
from pypdf import PdfReader

from mailorders.api.postmen.base import postmen_error
from mailorders.models import Label, Manifest
from mailorders.tests.label_bodies import label_body
from mailorders.tests.postmen.support import PREFIX, client_of, ok, refused
from mailorders.tests.test_label_pdf import decoded_barcodes
from tracking.models import Shipment


def create(api, account, **overrides) -> dict:
    return ok(api.post(f"{PREFIX}/labels", label_body(account.pk, **overrides)))


def test_create_get_and_download(api, account):
    data = create(api, account, paper_size="4x8")
    assert data["status"] == "created" and data["id"].startswith("label_")
    assert data["rate"]["shipper_account"] == {
        "id": account.pk,
        "slug": "usps",
        "description": "USPS Sandbox",
    }
    assert data["rate"]["charge_weight"] == {"unit": "lb", "value": 2.205}
    assert data["files"]["label"]["paper_size"] == "4x8"
    assert data["custom_fields"] == {"ship_code": "01"}
    number = data["tracking_numbers"][0]
    assert ok(api.get(f"{PREFIX}/labels/{data['id']}")) == data
    response = api.get(data["files"]["label"]["url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    assert [r.text for r in decoded_barcodes(pdf)] == [number]
    assert Shipment.objects.get(tracking_number=number).slug == "usps"


def test_postmen_api_key_header_works_too(partner, account):
    api = client_of(partner, header="HTTP_POSTMEN_API_KEY")
    create(api, account)


def test_every_bad_field_is_in_details(api, account):
    body = label_body(account.pk, service_type="usps-teleport")
    del body["shipment"]["ship_from"]["street1"]
    body["shipment"]["parcels"][0]["weight"]["value"] = 500
    meta = refused(api.post(f"{PREFIX}/labels", body), 400)
    assert {d["path"] for d in meta["details"]} == {
        "service_type",
        "shipment.ship_from.street1",
        "shipment.parcels.0.weight.value",
    }
    assert all(d["info"] for d in meta["details"])
    assert not Label.objects.exists()


@pytest.mark.parametrize("body", [[], "text", None])
def test_non_object_bodies_are_refused(api, body):
    refused(api.post(f"{PREFIX}/labels", body), 400)


def test_missing_key_and_unknown_path(client, account):
    assert client.get(f"{PREFIX}/labels").status_code == 401
    assert client.get(f"{PREFIX}/nothing-here").status_code == 404


def test_list_pages_with_next_token(api, account, django_assert_max_num_queries):
    ids = [create(api, account)["id"] for _ in range(3)]
    with django_assert_max_num_queries(4):
        first = ok(api.get(f"{PREFIX}/labels", {"limit": 2}))
    assert [label["id"] for label in first["labels"]] == ids[::-1][:2]
    second = ok(api.get(f"{PREFIX}/labels", {"limit": 2, "next_token": first["next_token"]}))
    assert [label["id"] for label in second["labels"]] == ids[:1]
    assert second["next_token"] == ""
    meta = refused(api.get(f"{PREFIX}/labels", {"limit": 0}), 400)
    assert meta["details"][0]["path"] == "limit"


def test_cancel_then_manifest(api, account):
    voided = create(api, account)
    kept = create(api, account)
    cancelled = ok(api.post(f"{PREFIX}/cancel-labels", {"label": {"id": voided["id"]}}))
    assert cancelled["status"] == "cancelled" and cancelled["label"] == {"id": voided["id"]}
    again = refused(api.post(f"{PREFIX}/cancel-labels", {"label": {"id": voided["id"]}}), 400)
    assert again["details"][0]["path"] == "label.id"
    missing = refused(api.post(f"{PREFIX}/cancel-labels", {}), 400)
    assert missing["details"] == [{"path": "label.id", "info": "label.id is required."}]
    manifest = ok(api.post(f"{PREFIX}/manifests", {"shipper_account": {"id": account.pk}}))
    assert manifest["status"] == "manifested" and manifest["labels"] == [{"id": kept["id"]}]
    assert ok(api.get(f"{PREFIX}/manifests/{manifest['id']}")) == manifest
    assert ok(api.get(f"{PREFIX}/labels/{kept['id']}"))["status"] == "manifested"
    meta = refused(api.post(f"{PREFIX}/manifests", {"shipper_account": {"id": account.pk}}), 400)
    assert meta["details"][0]["path"] == "labels"
    too_many = {"shipper_account": {"id": account.pk}, "labels": [{"id": "x"}] * 1001}
    assert refused(api.post(f"{PREFIX}/manifests", too_many), 400)["details"][0]["path"] == "labels"


def test_partners_never_see_each_other(api, other_api, account):
    label = create(api, account)
    manifest = ok(api.post(f"{PREFIX}/manifests", {"shipper_account": {"id": account.pk}}))
    assert refused(other_api.get(f"{PREFIX}/labels/{label['id']}"), 404)
    assert other_api.get(f"{PREFIX}/labels/{label['id']}/file").status_code == 404
    assert other_api.get(f"{PREFIX}/manifests/{manifest['id']}/file").status_code == 404
    assert refused(other_api.get(f"{PREFIX}/manifests/{manifest['id']}"), 404)
    assert ok(other_api.get(f"{PREFIX}/labels"))["labels"] == []
    refused(other_api.post(f"{PREFIX}/cancel-labels", {"label": {"id": label["id"]}}), 404)
    meta = refused(other_api.post(f"{PREFIX}/labels", label_body(account.pk)), 404, 4140)
    assert meta["details"][0]["path"] == "shipper_account.id"
    assert Label.objects.count() == 1


def test_manifest_file_is_served_to_its_partner_only(api, other_api, account):
    label = create(api, account)
    assert label["files"]["manifest"] is None
    manifest = ok(api.post(f"{PREFIX}/manifests", {"shipper_account": {"id": account.pk}}))
    url = f"http://testserver{PREFIX}/manifests/{manifest['id']}/file"
    assert manifest["files"] == {
        "manifest": {"url": url, "file_type": "pdf", "paper_size": "letter"}
    }
    assert (
        ok(api.get(f"{PREFIX}/labels/{label['id']}"))["files"]["manifest"]
        == (manifest["files"]["manifest"])
    )
    response = api.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    assert label["tracking_numbers"][0] in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert [r.text for r in decoded_barcodes(pdf)] == [manifest["id"]]
    refused(other_api.get(url), 404)
    refused(api.get(f"{PREFIX}/manifests/manifest_nope/file"), 404)


def test_a_pdf_lost_from_storage_is_not_found(api, account):
    label = create(api, account)
    manifest = ok(api.post(f"{PREFIX}/manifests", {"shipper_account": {"id": account.pk}}))
    pdf = Label.objects.get(pk=label["id"]).label_file
    pdf.storage.delete(pdf.name)
    pdf = Manifest.objects.get(pk=manifest["id"]).file
    pdf.storage.delete(pdf.name)

    assert refused(api.get(f"{PREFIX}/labels/{label['id']}/file"), 404)
    assert refused(api.get(f"{PREFIX}/manifests/{manifest['id']}/file"), 404)


def test_an_international_label_is_refused_naming_the_country(api, account):
    body = label_body(account.pk)
    body["shipment"]["ship_to"].update(country="GBR", state="LND", postal_code="SW1A 1AA")
    meta = refused(api.post(f"{PREFIX}/labels", body), 400)
    details = {d["path"]: d["info"] for d in meta["details"]}
    assert set(details) == {
        "shipment.ship_to.country",
        "shipment.ship_to.state",
        "shipment.ship_to.postal_code",
    }
    assert "international labels are not offered" in details["shipment.ship_to.country"]
    assert not Label.objects.exists()


def test_a_bad_item_and_a_past_ship_date_are_named(api, account):
    body = label_body(account.pk, ship_date="2022-09-09")
    body["shipment"]["parcels"][0]["items"].append({"description": "Bar", "quantity": -1})
    meta = refused(api.post(f"{PREFIX}/labels", body), 400)
    assert {d["path"] for d in meta["details"]} == {
        "shipment.parcels.0.items.1.quantity",
        "ship_date",
    }


def test_an_unstorable_value_is_named_in_details(api, account):
    body = label_body(account.pk)
    body["shipment"]["ship_to"]["street1"] = "145\x00 Mulberry St"
    meta = refused(api.post(f"{PREFIX}/labels", body), 400)
    assert meta["message"] == "shipment.ship_to.street1: Null characters are not allowed."
    assert meta["details"] == [
        {"path": "shipment.ship_to.street1", "info": "Null characters are not allowed."}
    ]
    assert not Label.objects.exists()


def test_an_error_naming_one_field_lists_it_in_details():
    response = postmen_error(
        http_status=400, code=400, message="search: too long.", data={"field": "search"}
    )
    assert response.data["meta"]["details"] == [{"path": "search", "info": "search: too long."}]
    given = [{"path": "labels.0.id", "info": "No such label."}]
    response = postmen_error(
        http_status=400, code=400, message="x", data={"field": "labels", "details": given}
    )
    assert response.data["meta"]["details"] == given


def test_cancelling_an_unknown_or_anothers_label_names_label_id(api, other_api, account):
    label = create(api, account)
    for client, pk in ((api, "label_nope"), (other_api, label["id"])):
        meta = refused(client.post(f"{PREFIX}/cancel-labels", {"label": {"id": pk}}), 404)
        assert meta["details"] == [{"path": "label.id", "info": "No such label."}]
    assert ok(api.get(f"{PREFIX}/labels/{label['id']}"))["status"] == "created"


def test_a_manifest_for_an_unknown_or_anothers_account_names_it(api, other_api, account):
    create(api, account)
    for client, pk in ((api, "nope"), (other_api, account.pk)):
        answer = client.post(f"{PREFIX}/manifests", {"shipper_account": {"id": pk}})
        meta = refused(answer, 404, 4140)  # Postmen's "Shipper account not found."
        assert meta["details"] == [
            {"path": "shipper_account.id", "info": "No such shipper account."}
        ]
    assert not Manifest.objects.exists()


def test_manifest_label_list_errors_name_the_label(api, account):
    kept = create(api, account)
    to_account = {"shipper_account": {"id": account.pk}}
    meta = refused(api.post(f"{PREFIX}/manifests", {**to_account, "labels": []}), 400)
    assert [d["path"] for d in meta["details"]] == ["labels"]
    assert "leave `labels` out to take the created labels" in meta["details"][0]["info"]
    assert "no created label" not in meta["message"]
    shapes = [{"id": kept["id"]}, "label_x", {"id": 5}, {}]
    meta = refused(api.post(f"{PREFIX}/manifests", {**to_account, "labels": shapes}), 400)
    assert [d["path"] for d in meta["details"]] == ["labels.1.id", "labels.2.id", "labels.3.id"]
    unknown = [{"id": kept["id"]}, {"id": "label_nope"}]
    meta = refused(api.post(f"{PREFIX}/manifests", {**to_account, "labels": unknown}), 400)
    assert meta["details"] == [
        {"path": "labels.1.id", "info": "label_nope is not a created label of this account."}
    ]
    assert ok(api.get(f"{PREFIX}/labels/{kept['id']}"))["status"] == "created"
    manifest = ok(api.post(f"{PREFIX}/manifests", {**to_account, "labels": [{"id": kept["id"]}]}))
    assert manifest["labels"] == [{"id": kept["id"]}]


def test_the_readme_example_creates_a_label(api, account):
    readme = (settings.BASE_DIR / "README.md").read_text()
    section = readme.split("\n## The label API\n")[1].split("\n## ")[0]
    body = json.loads(re.search(r"--data '(\{.*?\})'\n", section, re.DOTALL)[1])
    body["shipper_account"]["id"] = account.pk
    data = ok(api.post(f"{PREFIX}/labels", body))
    assert data["status"] == "created" and data["tracking_numbers"]
    assert data["rate"]["service_type"] == body["service_type"]
