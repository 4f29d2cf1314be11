"""The Postmen label API's OpenAPI description (/api/schema/labels/) agrees with the server:
schemathesis runs every documented operation in-process with a partner's key, on a sandbox
account, a label, a manifest and a rate quote the cases can name."""

from __future__ import annotations

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mailorders.api.postmen import schema as postmen_schema
from mailorders.models import Label, Manifest, RateQuote, ShipperAccount
from mailorders.services.labels import label_create
from mailorders.services.manifests import manifest_create
from mailorders.services.rate_quotes import rate_quote_create
from mailorders.tests.label_bodies import ADDRESS_FROM, ADDRESS_TO, PARCEL, label_body
from shipdesk.services import api_key_create
from shipdesk.tests.openapi_support import assert_served_offline
from shipdesk.wsgi import application

ACCOUNT_ID = "shipper_openapi0000000000001"
# Domain rules no schema can state (a ZIP Code's state, length plus girth, a ship date from
# today, ids that exist) refuse some schema-valid requests with a 4104 naming the field: the
# description says so, and positive-data acceptance is not asked of it.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _document() -> dict:
    with patched_settings(postmen_schema.SETTINGS):
        return SchemaGenerator(urlconf="shipdesk.urls").get_schema(request=None, public=True)


def test_the_description_is_valid_and_covers_every_endpoint(client):
    response = client.get("/api/schema/labels/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    document = response.json()
    assert document == _document()
    validate_schema(document)
    assert set(document["paths"]) == {
        "/postmen/v3/labels",
        "/postmen/v3/labels/{id}",
        "/postmen/v3/labels/{id}/file",
        "/postmen/v3/cancel-labels",
        "/postmen/v3/manifests",
        "/postmen/v3/manifests/{id}",
        "/postmen/v3/manifests/{id}/file",
        "/postmen/v3/rates",
        "/postmen/v3/rates/{id}",
        "/postmen/v3/address-validations",
        "/postmen/v3/shipper-accounts",
        "/postmen/v3/shipper-accounts/{id}",
    }
    create = document["paths"]["/postmen/v3/labels"]["post"]
    assert create["security"] == [{"postmenApiKey": []}]
    codes = create["responses"]["400"]["content"]["application/json"]["schema"]
    assert 4104 in codes["properties"]["meta"]["properties"]["code"]["enum"]


def test_the_docs_are_served_offline(client):
    assert_served_offline(client, "labels")


def _fuzz_schema():
    config = schemathesis.Config.from_dict(
        {
            "generation": {
                "max-examples": 15,
                "deterministic": True,
                "database": "none",
                "mode": "all",
            },
            "phases": {"stateful": {"enabled": False}},
        }
    )
    loaded = schemathesis.openapi.from_dict(_document(), config=config)
    loaded.app = application

    @loaded.hook
    def before_generate_path_parameters(context, strategy):
        """Many cases name a real item, so fuzzing reaches the 200s as well as the 404s."""
        real = [
            *Label.objects.values_list("id", flat=True)[:1],
            *Manifest.objects.values_list("id", flat=True)[:1],
            *RateQuote.objects.values_list("id", flat=True)[:1],
            ACCOUNT_ID,
        ]
        return st.one_of(strategy, st.fixed_dictionaries({"id": st.sampled_from(real)}))

    return loaded


schema = _fuzz_schema()


@pytest.fixture
def world(db, partner, settings, tmp_path):
    """A partner's key, a sandbox account with the id the cases name, and one of each item."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    settings.MEDIA_ROOT = tmp_path
    settings.API_RATE_PER_SECOND = 10_000
    settings.USPS_CLIENT_ID = ""  # address checks stay in the sandbox
    account = ShipperAccount.objects.create(
        id=ACCOUNT_ID, partner=partner, description="USPS Sandbox"
    )
    label_create(partner=partner, data=label_body(account.pk))
    label_create(partner=partner, data=label_body(account.pk))
    manifest_create(partner=partner, shipper_account_id=account.pk)
    rate_quote_create(
        partner=partner,
        data={
            "shipper_accounts": [{"id": account.pk}],
            "shipment": {"ship_from": ADDRESS_FROM, "ship_to": ADDRESS_TO, "parcels": [PARCEL]},
        },
    )
    _, raw = api_key_create(partner=partner, name="openapi", is_test=True)
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield raw
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_label_api_answers_as_its_description_says(case, world):
    case.call_and_validate(headers={"as-api-key": world}, checks=CHECKS)
