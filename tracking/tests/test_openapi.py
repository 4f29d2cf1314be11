"""The partner API's OpenAPI schema: served, valid, complete, and true to what the API answers.

The last test lets schemathesis loose on the API through its own schema (WSGI, no server): no
answer may be a 500, and every answer must match what the schema documents for its status.
"""

import re
from datetime import timedelta

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from shipdesk.api import NotFoundView
from shipdesk.models import APIKey
from shipdesk.services import api_key_create, partner_get_or_create
from shipdesk.tests.openapi_support import assert_served_offline
from shipdesk.wsgi import application
from tracking.api import representation as rep
from tracking.api import schema as doc
from tracking.api.couriers import COURIERS
from tracking.models import Checkpoint, Shipment
from tracking.services.shipments import shipment_create

PREFIX = "/tracking/2024-04"
# The ids the schema gives as path-parameter examples: the fuzzing run makes them real.
EXAMPLE_ID = "5b7658cec7c33c0e007de3c5"
EXAMPLE_NUMBER = "9400111899223123456785"
METHODS = ("get", "put", "post", "patch", "delete")
FUZZ_EXAMPLES = 20


@pytest.fixture(scope="module")
def openapi() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(openapi):
    for path, item in openapi["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_schema_endpoint_answers_with_a_valid_openapi_document(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    document = response.json()
    validate_schema(document)
    assert document["info"]["version"] == "2024-04"
    yaml = client.get("/api/schema/")
    assert yaml.headers["Content-Type"].startswith("application/vnd.oai.openapi;")
    assert yaml.content.startswith(b"openapi: 3.")


def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml")

    assert "/tracking/2024-04/trackings:" in (tmp_path / "s.yaml").read_text()


def test_every_operation_documents_the_key_header_and_its_errors(openapi):
    scheme = openapi["components"]["securitySchemes"][doc.SECURITY_SCHEME]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "as-api-key"}
    operations = list(_operations(openapi))
    assert len(operations) >= 25
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        assert path.startswith(PREFIX), where
        assert operation["security"] == [{doc.SECURITY_SCHEME: []}], where
        assert operation["summary"] and operation["tags"], where
        codes = set(operation["responses"])
        assert {"401", "429"} <= codes, where
        assert codes & {"200", "201"}, where
        if "{" in path:
            assert "404" in codes, where
        if "requestBody" in operation or any(
            p["in"] == "query" for p in operation.get("parameters", [])
        ):
            assert "400" in codes, where
        for code, response in operation["responses"].items():
            if code < "400" and "application/pdf" in response["content"]:
                continue  # the POD letter: a PDF, errors still in the envelope
            schema = response["content"]["application/json"]["schema"]
            expected = "ErrorEnvelope" if code >= "400" else "Response"
            assert schema["$ref"].endswith(expected), where
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), f"{where} {parameter['name']}"
    operation_ids = [op["operationId"] for _, _, op in operations]
    assert len(operation_ids) == len(set(operation_ids))
    assert openapi["components"]["responses"]["MethodNotAllowed"]


def test_every_partner_endpoint_is_documented(openapi):
    """Views drf-spectacular cannot read are left out of the schema, not crashed on: this is
    where such a view shows up."""
    documented = {(path, method) for path, method, _ in _operations(openapi)}
    missing = [
        f"{method} {path}"
        for path, _, method, callback in EndpointEnumerator().get_api_endpoints()
        if path.startswith(PREFIX)
        and callback.cls is not NotFoundView
        and (path, method.lower()) not in documented
    ]
    assert not missing


def test_every_tracking_id_path_has_its_slug_and_number_twin(openapi):
    paths = set(openapi["paths"])
    by_id = [p for p in paths if "{tracking_id}" in p]
    assert len(by_id) >= 7
    for path in by_id:
        twin = path.replace("{tracking_id}", "{slug}/{tracking_number}")
        assert twin in paths
        assert set(openapi["paths"][twin]) == set(openapi["paths"][path])


def test_list_and_detail_document_their_query_parameters(openapi):
    def query(path, method="get"):
        operation = openapi["paths"][PREFIX + path][method]
        return {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}

    listing = query("/trackings")
    for name in (
        "page",
        "limit",
        "keyword",
        "tag",
        "slug",
        "origin",
        "destination",
        "created_at_min",
        "created_at_max",
        "updated_at_min",
        "updated_at_max",
        "order_id",
        "tracking_numbers",
        "return_to_sender",
        "fields",
        "lang",
    ):
        assert name in listing, name
    assert listing["limit"]["schema"]["maximum"] == 200
    assert listing["page"]["schema"]["default"] == 1
    for path in ("/trackings/{tracking_id}", "/trackings/{slug}/{tracking_number}"):
        assert set(query(path)) == {"fields", "lang"}
    for path in ("/last_checkpoint/{tracking_id}", "/last_checkpoint/{slug}/{tracking_number}"):
        assert set(query(path)) == {"fields", "lang"}
    twin = openapi["paths"][PREFIX + "/trackings/{slug}/{tracking_number}"]["get"]
    assert [p["name"] for p in twin["parameters"] if p["in"] == "path"] == [
        "slug",
        "tracking_number",
    ]


def _properties(openapi, name):
    return set(openapi["components"]["schemas"][name]["properties"])


def test_every_key_the_api_sends_is_documented(openapi, partner):
    shipment = shipment_create(
        partner=partner,
        tracking_number=EXAMPLE_NUMBER,
        emails=["a@example.com"],
        order_promised_delivery_date=timezone.localdate(),
    )
    checkpoint = Checkpoint.objects.create(
        shipment=shipment,
        event_key="k",
        checkpoint_time=timezone.now(),
        message="Accepted",
        tag="InTransit",
        subtag="InTransit_002",
        subtag_message="Acceptance scan",
    )

    assert set(rep.tracking_data(shipment)) == _properties(openapi, "Tracking")
    assert set(rep.checkpoint_data(checkpoint)) == _properties(openapi, "Checkpoint")
    assert set(rep.tracking_short(shipment)) == _properties(openapi, "TrackingShort")
    assert set(COURIERS["usps"]) == _properties(openapi, "Courier")


def test_swagger_ui_and_redoc_are_served_from_our_own_static_files(client):
    assert_served_offline(client)


# ---------------------------------------------------------------------------------------------
# schemathesis


def _fuzz_schema():
    """The schema as schemathesis sees it, calling the WSGI application in-process.

    Every operation runs its examples and FUZZ_EXAMPLES generated cases. The coverage phase
    (boundary and invalid values of every parameter and body field) runs for one form of each
    operation: the PATCH and `/{slug}/{tracking_number}` twins share PUT's and the
    `/{tracking_id}` form's code, and would triple the run.
    """
    config = schemathesis.Config.from_dict(
        {
            "generation": {
                "max-examples": FUZZ_EXAMPLES,
                "deterministic": True,
                "database": "none",
                "mode": "all",
                # NUL is refused everywhere (PostgreSQL cannot store it), as DESCRIPTION says.
                "allow-x00": False,
            },
            "phases": {"stateful": {"enabled": False}},
            "operations": [
                {
                    "include-operation-id-regex": "^patch|BySlugTrackingNumber$",
                    "phases": {"coverage": {"enabled": False}},
                }
            ],
        }
    )
    loaded = schemathesis.openapi.from_dict(
        SchemaGenerator().get_schema(request=None, public=True), config=config
    )
    loaded.app = application

    @loaded.hook
    def before_generate_path_parameters(context, strategy):
        """Half the generated cases name the example tracking, so fuzzing gets past 404."""
        path = context.operation.path
        if "{tracking_id}" in path:
            real = {"tracking_id": EXAMPLE_ID}
        elif "{tracking_number}" in path:
            real = {"slug": "usps", "tracking_number": EXAMPLE_NUMBER}
        else:
            return strategy
        return st.one_of(strategy, st.just(real))

    return loaded


# Loaded at collection so each operation is a test of its own (schemathesis' lazy fixture
# loader does not work with pytest 9).
schema = _fuzz_schema()


@pytest.fixture
def fuzz_key(db):
    """A key with room for every request, and the tracking the schema's examples name."""
    partner = partner_get_or_create(name="Fuzz Parcels")
    key, raw_key = api_key_create(partner=partner, name="fuzz")
    APIKey.objects.filter(pk=key.pk).update(rate_per_second=1_000_000)
    # The WSGI handler would close the test's connection around each request (as Django's own
    # test client prevents): keep it open for the test transaction.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield partner, raw_key
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _ensure_example_tracking(partner) -> None:
    """The tracking the schema's path examples name, recreated if an example deleted it."""
    existing = Shipment.objects.filter(public_id=EXAMPLE_ID).first()
    if existing is not None:
        existing.subscribers.all().delete()  # room for the 3 receivers an example may add
        return
    shipment = shipment_create(
        partner=partner, tracking_number=EXAMPLE_NUMBER, emails=["a@example.com"]
    )
    Shipment.objects.filter(pk=shipment.pk).update(public_id=EXAMPLE_ID)
    now = timezone.now()
    Checkpoint.objects.bulk_create(
        Checkpoint(
            shipment=shipment,
            event_key=f"e{i}",
            checkpoint_time=now - timedelta(hours=10 - i),
            utc_offset_minutes=-300,
            message=message,
            tag=tag,
            subtag=subtag,
            subtag_message=tag,
            city="Deal",
            state="NJ",
        )
        for i, (message, tag, subtag) in enumerate(
            [
                ("Shipping label created", "InfoReceived", "InfoReceived_001"),
                ("Accepted at USPS origin facility", "InTransit", "InTransit_002"),
            ]
        )
    )


def key_header(case, name: str, raw_key: str) -> dict:
    """The real key in place of the generated one; none when the case leaves the header out
    (a negative case testing the missing key, which must answer 401)."""
    sent = {header.lower() for header in case.headers or {}}
    return {name: raw_key} if name in sent else {}


# A valid request refused for the tracking's state, not its data: AfterShip answers these 400.
STATE_CODES = {4003, 4016}


def valid_data_accepted(ctx, response, case):
    """positive_data_acceptance, but "exists" (4003) and "retrack not allowed" (4016) count
    as accepted: they refuse what the tracking already is, as the schema documents."""
    if response.status_code == 400 and response.json()["meta"]["code"] in STATE_CODES:
        return None
    return positive_data_acceptance(ctx, response, case)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_as_its_schema_says(case, fuzz_key):
    partner, raw_key = fuzz_key
    _ensure_example_tracking(partner)
    case.call_and_validate(
        headers=key_header(case, "as-api-key", raw_key),
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            negative_data_rejection,
            valid_data_accepted,
        ],
    )


def test_fuzzing_reaches_real_trackings(fuzz_key):
    """The examples the fuzzing run starts from name a tracking it can read."""
    partner, raw_key = fuzz_key
    _ensure_example_tracking(partner)
    client = APIClient()
    client.credentials(HTTP_AS_API_KEY=raw_key)
    for path in (f"/trackings/{EXAMPLE_ID}", f"/trackings/usps/{EXAMPLE_NUMBER}"):
        response = client.get(PREFIX + path)
        assert response.status_code == 200, path
        assert len(response.json()["data"]["tracking"]["checkpoints"]) == 2


# ---------------------------------------------------------------------------------------------
# What fuzzing found: each answered 500 (on SQLite, PostgreSQL or both) before it was fixed.


@pytest.fixture
def api(fuzz_key):
    partner, raw_key = fuzz_key
    _ensure_example_tracking(partner)
    client = APIClient()
    client.credentials(HTTP_AS_API_KEY=raw_key)
    return client


@pytest.mark.parametrize(
    "body, field",
    [
        ('{"tracking": {"custom_fields": {"a": "x\\u0000"}}}', "tracking.custom_fields.a"),
        ('{"tracking": {"custom_fields": {"\\u0000": 1}}}', "tracking.custom_fields"),
        ('{"custom_fields": {"a": ["\\ud800"]}}', "custom_fields.a.0"),
        ('{"tracking": {"custom_fields": {"a": 1e999}}}', "tracking.custom_fields.a"),
        ('{"tracking": {"note": "\\udfff"}}', "tracking.note"),
    ],
)
def test_unstorable_json_is_refused_and_changes_nothing(api, body, field):
    url = f"{PREFIX}/trackings/{EXAMPLE_ID}"
    response = api.put(url, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["meta"]["message"].startswith(f"{field}: ")
    assert Shipment.objects.get(public_id=EXAMPLE_ID).custom_fields is None
    assert api.get(url).status_code == 200


@pytest.mark.parametrize("body", ["[" * 100_000, '{"a": ' * 5_000 + "1" + "}" * 5_000])
def test_deeply_nested_json_is_a_bad_request(api, body):
    for url in ("/trackings", f"/trackings/{EXAMPLE_ID}/mark-as-completed", "/couriers/detect"):
        response = api.post(PREFIX + url, body, content_type="application/json")
        assert response.status_code == 400, url
        assert response.json()["meta"]["message"] == "The request body is nested too deeply."


def test_a_page_far_past_the_end_is_empty(api):
    response = api.get(f"{PREFIX}/trackings", {"page": 10**20, "limit": 200})

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["trackings"], data["pagination"]["has_next_page"]) == ([], False)


def test_a_nul_in_a_path_is_not_found(api):
    for path in ("/trackings/a%00b", "/trackings/usps/94%00", "/last_checkpoint/%00"):
        response = api.get(PREFIX + path)
        assert response.status_code == 404, path
        assert response.json()["meta"]["code"] == 4004


# What the schema-driven checks found the server accepting against its description.


@pytest.mark.parametrize(
    "url, body, message",
    [
        ("/couriers/detect", {"tracking": {"tracking_number": "0000", "slug": [0]}}, "slug.0"),
        ("/trackings", {"tracking": {"tracking_number": 94001118}}, "tracking_number"),
        (f"/trackings/{EXAMPLE_ID}", {"tracking": {"shipment_package_count": "3"}}, None),
        (f"/trackings/{EXAMPLE_ID}", {"tracking": {"order_tags": [" " + "x" * 100]}}, None),
        (f"/notifications/{EXAMPLE_ID}/add", {"smses": [18555072509]}, "smses.0"),
        (f"/trackings/{EXAMPLE_ID}", {"tracking": {"shipment_weight": "1.5"}}, None),
    ],
)
def test_a_json_value_of_the_wrong_type_or_length_is_refused(api, url, body, message):
    """DRF alone coerced these (0 → "0", "3" → 3) or measured the text after trimming it."""
    method = api.put if url == f"/trackings/{EXAMPLE_ID}" else api.post
    response = method(PREFIX + url, body, format="json")

    assert response.status_code == 400, response.json()
    text = response.json()["meta"]["message"]
    field = message or next(iter(body["tracking"]))
    assert text.removeprefix("tracking.").startswith(field), text
    assert Shipment.objects.get(public_id=EXAMPLE_ID).order_tags == []


@pytest.mark.parametrize("name", ["updated_at_min", "created_at_max", "page", "return_to_sender"])
def test_an_empty_query_value_is_refused_not_ignored(api, name):
    response = api.get(f"{PREFIX}/trackings?{name}=")

    assert response.status_code == 400
    assert response.json()["meta"]["message"] == f"{name}: May not be blank."


def test_detect_ignores_blank_slugs_and_reads_them_in_any_case(api):
    body = {"tracking": {"tracking_number": EXAMPLE_NUMBER, "slug": ["", "USPS"]}}
    response = api.post(f"{PREFIX}/couriers/detect", body, format="json")

    assert response.status_code == 200, response.json()
    assert [c["slug"] for c in response.json()["data"]["couriers"]] == ["usps"]


def test_the_description_states_what_the_server_checks(openapi):
    schemas = openapi["components"]["schemas"]
    create = schemas["TrackingCreateRequest"]["properties"]
    assert re.fullmatch(create["tracking_number"]["pattern"], " 9400-1118 99")
    assert not re.fullmatch(create["tracking_number"]["pattern"], "0")
    slug = create["slug"]["oneOf"][0]["pattern"]
    assert re.fullmatch(slug, " USPS") and not re.fullmatch(slug, "fedex")
    tag = next(
        p
        for p in openapi["paths"][PREFIX + "/trackings"]["get"]["parameters"]
        if p["name"] == "tag"
    )
    tags = tag["schema"]["oneOf"][0]["pattern"]
    assert re.fullmatch(tags, "Delivered,,InTransit") and not re.fullmatch(tags, "")
    assert not re.fullmatch(tags, "DeliveredInTransit")
    item = schemas["EstimatedDeliveryDateRequest"]
    assert {tuple(rule["required"]) for rule in item["oneOf"]} == {
        ("pickup_time",),
        ("estimated_pickup",),
    }
    assert re.fullmatch(item["properties"]["pickup_time"]["pattern"], "2024-02-28 23:59:59")
    assert not re.fullmatch(item["properties"]["pickup_time"]["pattern"], "2024-02-30 10:00:00")
    update = openapi["paths"][PREFIX + "/trackings/{tracking_id}"]["put"]["requestBody"]
    assert update["required"] is False


def test_write_operations_document_the_request_size_refusals(openapi, api):
    """413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE and 400 for too many fields, as the
    server answers them (shipdesk.api.request_refusal)."""
    writes = [(p, m, o) for p, m, o in _operations(openapi) if m in ("post", "put", "patch")]
    assert writes
    for path, method, operation in writes:
        refusal = operation["responses"]["413"]["content"]["application/json"]
        assert refusal["schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}, path
        assert "400" in operation["responses"], (path, method)

    body = '{"tracking": {"note": "' + "x" * (3 * 1024 * 1024) + '"}}'
    response = api.post(f"{PREFIX}/trackings", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["meta"] == refusal["example"]["meta"]

    too_many = "&".join(f"f{i}=1" for i in range(1_500))
    response = api.post(f"{PREFIX}/trackings?{too_many}", {}, format="json")
    assert response.status_code == 400
    assert response.json()["meta"]["message"].startswith("The request has too many fields")
