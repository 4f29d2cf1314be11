"""Refusals carry Postmen's own meta.code (its "API Request Errors" reference), not the HTTP
status, with `details` naming the field, on every /postmen/v3/ endpoint.

The official Postmen Python client raises its PostmenError (code, message, details) for a
4xxx meta.code (`int(code / 1000) == 4`) and retries only when `retryable` is true: each case
below is checked against that rule too."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from mailorders.models import Label
from mailorders.tests.label_bodies import label_body
from mailorders.tests.postmen.support import PREFIX, ok, refused


def raised_by_the_official_client(meta: dict) -> bool:
    return int(meta["code"] / 1000) == 4


def test_invalid_fields_are_4104_with_each_field(api, account):
    body = label_body(account.pk, service_type="usps-teleport")
    meta = refused(api.post(f"{PREFIX}/labels", body), 400, 4104)
    assert (
        meta["details"] == [{"path": "service_type", "info": meta["details"][0]["info"]}]
        and "service_type" in meta["details"][0]["info"]
    )
    assert raised_by_the_official_client(meta)


def test_invalid_json_is_4109(api):
    response = api.generic(
        "POST", f"{PREFIX}/labels", '{"shipment": ', content_type="application/json"
    )
    meta = refused(response, 400, 4109)
    assert "JSON" in meta["message"] and raised_by_the_official_client(meta)


@pytest.mark.parametrize(
    "path",
    ["labels/label_nope", "manifests/manifest_nope", "labels/label_nope/file"],
)
def test_an_unknown_item_is_4153(api, path):
    meta = refused(api.get(f"{PREFIX}/{path}"), 404, 4153)
    assert raised_by_the_official_client(meta)


def test_an_unknown_shipper_account_is_4140_naming_it(api, account):
    meta = refused(api.post(f"{PREFIX}/labels", label_body("shipper_nope")), 404, 4140)
    assert meta["details"][0]["path"] == "shipper_account.id"
    meta = refused(api.get(f"{PREFIX}/shipper-accounts/shipper_nope"), 404, 4140)
    assert not Label.objects.exists()


@pytest.mark.parametrize(
    ("path", "params"),
    [("labels", {"limit": 0}), ("manifests", {"status": "lost"}), ("labels", {"next_token": "x"})],
)
def test_bad_query_parameters_are_4104_naming_them(api, path, params):
    meta = refused(api.get(f"{PREFIX}/{path}", params), 400, 4104)
    assert meta["details"][0]["path"] == next(iter(params))


def test_a_wrong_method_is_4104(api):
    meta = refused(api.delete(f"{PREFIX}/labels"), 405, 4104)
    assert raised_by_the_official_client(meta)


def test_no_key_stays_401(db):
    response = APIClient().get(f"{PREFIX}/labels")
    assert response.status_code == 401 and response.json()["meta"]["code"] == 401
    assert response["WWW-Authenticate"]


def test_an_unknown_path_stays_404(api):
    response = api.get(f"{PREFIX}/teleports")
    assert response.status_code == 404 and response.json()["meta"]["code"] == 404


def test_a_success_is_200_and_not_raised(api, account):
    response = api.get(f"{PREFIX}/labels")
    assert ok(response) == {"limit": 20, "next_token": "", "labels": []}
