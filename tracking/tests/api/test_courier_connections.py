"""AfterShip Tracking 2026-07 courier connections: a partner's own USPS app credentials.

Create, list (newest first, signed cursors), get, update and delete; credentials sealed at rest
and masked in every answer; another partner's connection is a 404; bad input is refused in
AfterShip's envelope naming its field and changes nothing; the secret is in no answer, log
record, query or audit event.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shipdesk.models import AuditEvent
from shipdesk.sealing import seal, unseal
from tracking.models import CourierConnection
from tracking.tests.api.support import ERROR_TYPES, days_ago, ok

PREFIX = "/tracking/2026-07"
CLIENT_ID = "usps-consumer-key-0001-7Q2K"
SECRET = "consumer-secret-Zx9-do-not-show"
NEW_CLIENT_ID = "usps-consumer-key-0002-M4PL"
NEW_SECRET = "another-consumer-secret-Qw3"
CREDENTIALS = {"client_id": CLIENT_ID, "client_secret": SECRET}
MASKED = {"client_id": "****7Q2K", "client_secret": "********"}
FIELDS = {"id", "courier_slug", "credentials", "created_at", "updated_at"}


def url(*parts: str) -> str:
    return "/".join([PREFIX, "courier-connections", *parts])


def create(api, **body) -> dict:
    return ok(api.post(url(), {"courier_slug": "usps", "credentials": CREDENTIALS, **body}), 201)


def refused(response, status: int, *, code: int | None = None, field: str | None = None) -> dict:
    """The `meta` of an AfterShip error answer, `data` empty, naming `field` in its message."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"meta", "data"}
    assert body["data"] == {}
    meta = body["meta"]
    assert set(meta) == {"code", "type", "message"}
    assert meta["code"] == (code or status)
    assert meta["type"] == ERROR_TYPES.get(status, "BadRequest")
    assert isinstance(meta["message"], str) and meta["message"]
    if field is not None:
        assert meta["message"].startswith(f"{field}: "), meta["message"]
    return meta


def stored(partner=None) -> list[dict]:
    """Every stored connection (of `partner`), each row as it is in the database."""
    rows = CourierConnection.objects.order_by("id")
    if partner is not None:
        rows = rows.filter(partner=partner)
    return list(rows.values())


def make_connection(partner, *, slug: str = "usps", created_at: datetime | None = None, n=0):
    """A connection stored directly (the API offers only USPS, one per partner; the model keeps
    any courier), sealed like the service seals."""
    when = created_at or timezone.now()
    return CourierConnection.objects.create(
        partner=partner,
        courier_slug=slug,
        client_id_sealed=seal(f"{slug}-key-{n:04d}"),
        client_secret_sealed=seal(f"{slug}-secret-{n}"),
        created_at=when,
        updated_at=when,
    )


def parsed_time(value: str) -> datetime:
    when = datetime.fromisoformat(value)
    assert when.utcoffset() == timedelta(0), value
    return when


# Create


def test_create_answers_the_connection_masked_and_stores_it_sealed(api, partner):
    before = timezone.now().replace(microsecond=0)
    data = create(api)

    assert set(data) == FIELDS
    assert data["courier_slug"] == "usps"
    assert data["credentials"] == MASKED
    assert isinstance(data["id"], str) and data["id"]
    assert parsed_time(data["created_at"]) >= before
    assert parsed_time(data["updated_at"]) >= parsed_time(data["created_at"])

    (row,) = CourierConnection.objects.all()
    assert row.public_id == data["id"] and row.partner_id == partner.pk
    for value in (CLIENT_ID, SECRET):
        for name, column in CourierConnection.objects.filter(pk=row.pk).values().get().items():
            assert value not in str(column), name
    assert row.client_id_sealed != row.client_secret_sealed
    assert unseal(row.client_id_sealed) == CLIENT_ID
    assert unseal(row.client_secret_sealed) == SECRET
    assert (row.last_error, row.last_error_at, row.last_success_at) == ("", None, None)

    assert ok(api.get(url(data["id"]))) == data


def test_credentials_are_stored_without_surrounding_whitespace(api):
    data = create(
        api, credentials={"client_id": f"  {CLIENT_ID}\n", "client_secret": f"\t{SECRET} "}
    )

    assert data["credentials"] == MASKED
    row = CourierConnection.objects.get()
    assert (unseal(row.client_id_sealed), unseal(row.client_secret_sealed)) == (CLIENT_ID, SECRET)


def test_credentials_of_the_longest_length_are_accepted(api):
    longest = {"client_id": "k" * 496 + "LAST", "client_secret": "s" * 500}
    data = create(api, credentials=longest)

    assert data["credentials"] == {"client_id": "****LAST", "client_secret": "********"}
    assert unseal(CourierConnection.objects.get().client_secret_sealed) == "s" * 500


def test_a_second_usps_connection_is_a_conflict_and_changes_nothing(api, other_api, partner):
    first = create(api)
    rows, events = stored(), AuditEvent.objects.count()

    meta = refused(
        api.post(
            url(),
            {
                "courier_slug": "usps",
                "credentials": {"client_id": NEW_CLIENT_ID, "client_secret": NEW_SECRET},
            },
        ),
        409,
        field="courier_slug",
    )

    assert first["id"] in meta["message"]
    assert NEW_SECRET not in meta["message"] and SECRET not in meta["message"]
    assert stored() == rows
    assert AuditEvent.objects.count() == events
    assert unseal(CourierConnection.objects.get().client_secret_sealed) == SECRET
    assert ok(api.get(url()))["pagination"]["total"] == 1
    # One per courier for each partner, not for the whole installation.
    other = create(other_api)
    assert other["id"] != first["id"]
    assert CourierConnection.objects.count() == 2


# List


def test_the_list_is_newest_first_with_its_pagination(api, partner, other_partner):
    oldest = make_connection(partner, slug="fedex", created_at=days_ago(3), n=1)
    newest = make_connection(partner, slug="usps", created_at=days_ago(1), n=2)
    middle = make_connection(partner, slug="ups", created_at=days_ago(2), n=3)
    make_connection(other_partner, slug="usps", created_at=days_ago(0), n=4)

    data = ok(api.get(url()))

    assert set(data) == {"pagination", "courier_connections"}
    assert data["pagination"] == {"total": 3, "next_cursor": None, "has_next_page": False}
    listed = data["courier_connections"]
    assert [c["id"] for c in listed] == [newest.public_id, middle.public_id, oldest.public_id]
    assert [c["courier_slug"] for c in listed] == ["usps", "ups", "fedex"]
    assert all(set(c) == FIELDS for c in listed)
    assert listed[0]["credentials"] == {"client_id": "****0002", "client_secret": "********"}
    assert ok(api.get(url(newest.public_id))) == listed[0]


def test_an_empty_list(api, other_partner):
    make_connection(other_partner)

    data = ok(api.get(url()))

    assert data == {
        "pagination": {"total": 0, "next_cursor": None, "has_next_page": False},
        "courier_connections": [],
    }


def test_limit_one_pages_through_three_connections_with_cursors(api, partner):
    same_time = days_ago(1)
    rows = [
        make_connection(partner, slug="fedex", created_at=days_ago(2), n=1),
        # Two made in the same instant: the id orders them, across a page boundary too.
        make_connection(partner, slug="ups", created_at=same_time, n=2),
        make_connection(partner, slug="usps", created_at=same_time, n=3),
    ]
    expected = [rows[2].public_id, rows[1].public_id, rows[0].public_id]

    seen, cursors, cursor = [], [], None
    for page in range(3):
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        data = ok(api.get(url(), params))
        assert data["pagination"]["total"] == 3
        assert len(data["courier_connections"]) == 1
        seen += [c["id"] for c in data["courier_connections"]]
        cursor = data["pagination"]["next_cursor"]
        assert data["pagination"]["has_next_page"] is (page < 2)
        assert (cursor is not None) is (page < 2)
        cursors.append(cursor)

    assert seen == expected
    assert len(set(cursors[:2])) == 2
    # A cursor reads the same page again.
    again = ok(api.get(url(), {"limit": 1, "cursor": cursors[0]}))
    assert [c["id"] for c in again["courier_connections"]] == [expected[1]]
    two = ok(api.get(url(), {"limit": 2, "cursor": cursors[0]}))
    assert [c["id"] for c in two["courier_connections"]] == expected[1:]
    assert two["pagination"] == {"total": 3, "next_cursor": None, "has_next_page": False}


def test_the_list_filters_by_courier_slug(api, partner):
    make_connection(partner, slug="fedex", created_at=days_ago(2), n=1)
    usps = make_connection(partner, slug="usps", created_at=days_ago(1), n=2)

    data = ok(api.get(url(), {"courier_slug": "usps"}))
    assert [c["id"] for c in data["courier_connections"]] == [usps.public_id]
    assert data["pagination"] == {"total": 1, "next_cursor": None, "has_next_page": False}

    none = ok(api.get(url(), {"courier_slug": "dhl"}))
    assert none["courier_connections"] == [] and none["pagination"]["total"] == 0

    everything = ok(api.get(url(), {"courier_slug": ""}))
    assert everything["pagination"]["total"] == 2


@pytest.mark.parametrize("limit", ["0", "201", "-1", "many", ""])
def test_a_bad_limit_is_refused(api, partner, limit):
    make_connection(partner)

    refused(api.get(url(), {"limit": limit}), 400, code=4008, field="limit")


def test_a_cursor_of_another_partner_or_of_the_trackings_list_is_refused(
    api, other_api, partner, other_partner, make_shipment
):
    for n in range(3):
        make_connection(partner, slug=f"courier-{n}", created_at=days_ago(n), n=n)
        make_connection(other_partner, slug=f"courier-{n}", created_at=days_ago(n), n=n)
        make_shipment(now=days_ago(n))
    mine = ok(api.get(url(), {"limit": 1}))["pagination"]["next_cursor"]
    tracking_cursor = ok(api.get(f"{PREFIX}/trackings", {"limit": 1}))["pagination"]["next_cursor"]
    assert mine and tracking_cursor

    for client, bad in (
        (other_api, mine),  # another partner's
        (api, tracking_cursor),  # the trackings list's, same partner and version
        (api, mine[:-2] + ("xx" if not mine.endswith("xx") else "yy")),  # edited
        (api, "not-a-cursor"),
    ):
        refused(client.get(url(), {"limit": 1, "cursor": bad}), 400, code=4008, field="cursor")
    # And the other way round: this list's cursor is no trackings cursor.
    refused(api.get(f"{PREFIX}/trackings", {"cursor": mine}), 400, code=4008, field="cursor")
    # The partner's own cursor still reads.
    assert len(ok(api.get(url(), {"limit": 1, "cursor": mine}))["courier_connections"]) == 1


# Get, update, delete


def test_update_reseals_new_credentials_and_forgets_the_last_error(api, partner):
    made = create(api)
    row = CourierConnection.objects.get()
    old_id_sealed, old_secret_sealed = row.client_id_sealed, row.client_secret_sealed
    CourierConnection.objects.filter(pk=row.pk).update(
        last_error="USPS refused the credentials (401).",
        last_error_at=timezone.now(),
        last_success_at=days_ago(1),
        updated_at=days_ago(1),
        created_at=days_ago(1),
    )

    data = ok(
        api.patch(
            url(made["id"]),
            {"credentials": {"client_id": NEW_CLIENT_ID, "client_secret": NEW_SECRET}},
        )
    )

    assert set(data) == FIELDS
    assert data["id"] == made["id"] and data["courier_slug"] == "usps"
    assert data["credentials"] == {"client_id": "****M4PL", "client_secret": "********"}
    assert parsed_time(data["updated_at"]) > parsed_time(data["created_at"])
    row.refresh_from_db()
    assert row.client_id_sealed != old_id_sealed and row.client_secret_sealed != old_secret_sealed
    assert NEW_SECRET not in row.client_secret_sealed and NEW_CLIENT_ID not in row.client_id_sealed
    assert unseal(row.client_id_sealed) == NEW_CLIENT_ID
    assert unseal(row.client_secret_sealed) == NEW_SECRET
    assert (row.last_error, row.last_error_at, row.last_success_at) == ("", None, None)
    assert ok(api.get(url(made["id"]))) == data
    assert CourierConnection.objects.count() == 1


def test_delete_answers_the_connection_then_it_is_gone(api):
    made = create(api)

    assert ok(api.delete(url(made["id"]))) == made
    assert not CourierConnection.objects.exists()
    for response in (
        api.get(url(made["id"])),
        api.patch(url(made["id"]), {"credentials": CREDENTIALS}),
        api.delete(url(made["id"])),
    ):
        refused(response, 404)
    assert ok(api.get(url()))["pagination"]["total"] == 0
    # Deleted, the partner may connect USPS again.
    assert create(api)["id"] != made["id"]


def test_an_unknown_id_is_a_404(api):
    create(api)
    for response in (
        api.get(url("0" * 24)),
        api.patch(url("0" * 24), {"credentials": CREDENTIALS}),
        api.delete(url("0" * 24)),
    ):
        refused(response, 404)
    assert CourierConnection.objects.count() == 1


def test_another_partners_connection_is_a_404_and_unchanged(api, other_api):
    theirs = create(other_api)
    rows, events = stored(), AuditEvent.objects.count()
    new = {"credentials": {"client_id": NEW_CLIENT_ID, "client_secret": NEW_SECRET}}

    refused(api.get(url(theirs["id"])), 404)
    refused(api.patch(url(theirs["id"]), new), 404)
    refused(api.delete(url(theirs["id"])), 404)
    # A bad body answers the same 404: nothing tells the connection exists.
    refused(api.patch(url(theirs["id"]), {"credentials": "x"}), 404)

    assert stored() == rows
    assert AuditEvent.objects.count() == events
    assert ok(api.get(url()))["pagination"]["total"] == 0
    assert ok(other_api.get(url(theirs["id"]))) == theirs


# Bad input

GOOD = {"courier_slug": "usps", "credentials": CREDENTIALS}


def without(mapping: dict, key: str) -> dict:
    return {k: v for k, v in mapping.items() if k != key}


def with_credentials(**values) -> dict:
    return {**GOOD, "credentials": {**CREDENTIALS, **values}}


CREDENTIAL_CASES = [
    pytest.param("x", "credentials", 4008, id="credentials-a-string"),
    pytest.param(["a", "b"], "credentials", 4008, id="credentials-a-list"),
    pytest.param(None, "credentials", 4008, id="credentials-null"),
    pytest.param(7, "credentials", 4008, id="credentials-a-number"),
    pytest.param(without(CREDENTIALS, "client_secret"), "credentials.client_secret", 4009,
                 id="client_secret-missing"),
    pytest.param(without(CREDENTIALS, "client_id"), "credentials.client_id", 4009,
                 id="client_id-missing"),
    pytest.param({}, "credentials.client_id", 4009, id="credentials-empty"),
    pytest.param({**CREDENTIALS, "client_secret": ""}, "credentials.client_secret", 4008,
                 id="client_secret-blank"),
    pytest.param({**CREDENTIALS, "client_secret": " \t\n "}, "credentials.client_secret", 4008,
                 id="client_secret-whitespace"),
    pytest.param({**CREDENTIALS, "client_id": "   "}, "credentials.client_id", 4008,
                 id="client_id-whitespace"),
    pytest.param({**CREDENTIALS, "client_id": 123456}, "credentials.client_id", 4008,
                 id="client_id-a-number"),
    pytest.param({**CREDENTIALS, "client_id": True}, "credentials.client_id", 4008,
                 id="client_id-a-boolean"),
    pytest.param({**CREDENTIALS, "client_secret": None}, "credentials.client_secret", 4008,
                 id="client_secret-null"),
    pytest.param({**CREDENTIALS, "client_secret": [SECRET]}, "credentials.client_secret", 4008,
                 id="client_secret-a-list"),
    pytest.param({**CREDENTIALS, "client_secret": {"v": SECRET}}, "credentials.client_secret",
                 4008, id="client_secret-an-object"),
    pytest.param({**CREDENTIALS, "password": SECRET}, "credentials.password", 4008,
                 id="extra-key"),
    pytest.param({**CREDENTIALS, "client_id": "k" * 501}, "credentials.client_id", 4008,
                 id="client_id-too-long"),
    pytest.param({**CREDENTIALS, "client_secret": SECRET + "s" * 500},
                 "credentials.client_secret", 4008, id="client_secret-too-long"),
]  # fmt: skip


@pytest.mark.parametrize(
    "body, field, code",
    [
        pytest.param(without(GOOD, "courier_slug"), "courier_slug", 4009, id="slug-missing"),
        pytest.param({**GOOD, "courier_slug": "fedex"}, "courier_slug", 4008, id="slug-unknown"),
        pytest.param({**GOOD, "courier_slug": "USPS "}, "courier_slug", 4008, id="slug-case"),
        pytest.param({**GOOD, "courier_slug": ""}, "courier_slug", 4008, id="slug-blank"),
        pytest.param({**GOOD, "courier_slug": 5}, "courier_slug", 4008, id="slug-a-number"),
        pytest.param({**GOOD, "courier_slug": None}, "courier_slug", 4008, id="slug-null"),
        pytest.param(without(GOOD, "credentials"), "credentials", 4009, id="credentials-missing"),
        *[
            pytest.param({**GOOD, "credentials": c.values[0]}, *c.values[1:], id=c.id)
            for c in CREDENTIAL_CASES
        ],
    ],
)
def test_bad_input_on_create_is_refused_naming_the_field_and_creates_nothing(
    api, body, field, code
):
    meta = refused(api.post(url(), body), 400, code=code, field=field)

    assert SECRET not in meta["message"]
    assert not CourierConnection.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="courier_connection.").exists()


@pytest.mark.parametrize(
    "body, field, code",
    [
        pytest.param({}, "credentials", 4009, id="credentials-missing"),
        *[pytest.param({"credentials": c.values[0]}, *c.values[1:], id=c.id)
          for c in CREDENTIAL_CASES],
    ],
)  # fmt: skip
def test_bad_input_on_update_is_refused_naming_the_field_and_changes_nothing(
    api, body, field, code
):
    made = create(api)
    rows, events = stored(), AuditEvent.objects.count()

    meta = refused(api.patch(url(made["id"]), body), 400, code=code, field=field)

    assert SECRET not in meta["message"]
    assert stored() == rows
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("method", ["post", "patch"])
@pytest.mark.parametrize(
    "payload, content_type",
    [
        pytest.param('{"courier_slug": "usps", "credentials": {', "application/json", id="cut"),
        pytest.param("courier_slug=usps", "application/json", id="not-json"),
        pytest.param(json.dumps([GOOD]), "application/json", id="a-list"),
        pytest.param(json.dumps("usps"), "application/json", id="a-string"),
    ],
)
def test_a_body_that_is_no_json_object_is_refused(api, method, payload, content_type):
    made = create(api)
    rows, events = stored(), AuditEvent.objects.count()
    path = url() if method == "post" else url(made["id"])

    refused(getattr(api, method)(path, payload, content_type=content_type), 400)

    assert stored() == rows
    assert AuditEvent.objects.count() == events


def test_an_empty_body_is_missing_its_fields(api):
    made = create(api)
    rows = stored()

    refused(api.post(url(), "", content_type="application/json"), 400, code=4009,
            field="courier_slug")  # fmt: skip
    refused(api.patch(url(made["id"]), "", content_type="application/json"), 400, code=4009,
            field="credentials")  # fmt: skip

    assert stored() == rows


# Keys


def test_no_request_without_a_key(api, client_for, partner):
    made = create(api)
    rows = stored()
    anonymous = type(api)()
    wrong = type(api)("as_not-a-real-key-0000000000")
    for client in (anonymous, wrong):
        for response in (
            client.get(url()),
            client.post(url(), GOOD),
            client.get(url(made["id"])),
            client.patch(url(made["id"]), {"credentials": CREDENTIALS}),
            client.delete(url(made["id"])),
        ):
            refused(response, 401)
            assert SECRET not in response.content.decode()
    assert stored() == rows


# Query counts


@pytest.fixture
def warm(api, clock):
    """The key has been used in this second already (the throttle and last_used_at are warm)."""
    ok(api.get(url()))
    return api


def counted(client, method: str, path: str, data=None) -> tuple[int, dict]:
    with CaptureQueriesContext(db_connection) as captured:
        response = getattr(client, method)(path, data)
    return len(captured), ok(response)


def test_list_queries_do_not_grow_with_the_number_of_connections(warm, partner):
    make_connection(partner, slug="courier-0", created_at=days_ago(10), n=0)
    one, data = counted(warm, "get", url())
    assert len(data["courier_connections"]) == 1

    for n in range(1, 5):
        make_connection(partner, slug=f"courier-{n}", created_at=days_ago(10 - n), n=n)
    five, data = counted(warm, "get", url())
    assert len(data["courier_connections"]) == 5
    assert all(
        c["credentials"]["client_id"].startswith("****") for c in data["courier_connections"]
    )

    assert five == one
    paged, data = counted(warm, "get", url(), {"limit": 2})
    cursor = data["pagination"]["next_cursor"]
    later, data = counted(warm, "get", url(), {"limit": 2, "cursor": cursor})
    assert len(data["courier_connections"]) == 2
    assert later == paged == one


# Secrets and the audit trail


def test_the_secret_is_in_no_answer_log_query_or_audit_event(api, caplog, partner):
    caplog.set_level(logging.DEBUG)
    secrets = (CLIENT_ID, SECRET, NEW_CLIENT_ID, NEW_SECRET)
    bodies = []

    with CaptureQueriesContext(db_connection) as captured:
        made = api.post(url(), GOOD)
        bodies.append(made)
        connection_id = made.json()["data"]["id"]
        bodies.append(api.post(url(), with_credentials(client_secret=NEW_SECRET)))  # 409
        bodies.append(api.post(url(), with_credentials(password=NEW_SECRET)))  # 400
        bodies.append(api.post(url(), with_credentials(client_secret=NEW_SECRET * 30)))  # 400
        bodies.append(api.get(url()))
        bodies.append(api.get(url(connection_id)))
        bodies.append(
            api.patch(
                url(connection_id),
                {"credentials": {"client_id": NEW_CLIENT_ID, "client_secret": NEW_SECRET}},
            )
        )
        bodies.append(api.patch(url(connection_id), {"credentials": {"client_id": SECRET}}))
        bodies.append(api.delete(url(connection_id)))

    assert [r.status_code for r in bodies] == [201, 409, 400, 400, 200, 200, 200, 400, 200]
    for response in bodies:
        text = response.content.decode()
        for value in secrets:
            assert value not in text, (response.status_code, text)
            assert value not in str(response.headers)

    logged = [
        " ".join(
            str(part)
            for part in (r.getMessage(), r.args, r.exc_text, getattr(r, "request", ""))
            if part
        )
        for r in caplog.records
    ]
    for value in secrets:
        assert not any(value in line for line in logged), value

    for query in captured.captured_queries:
        for value in secrets:
            assert value not in query["sql"], query["sql"]

    events = list(
        AuditEvent.objects.filter(action__startswith="courier_connection.").order_by("id")
    )
    assert [e.action for e in events] == [
        "courier_connection.create",
        "courier_connection.update",
        "courier_connection.delete",
    ]
    key = api.key
    for event in events:
        assert (event.actor_kind, event.api_key_id) == (AuditEvent.ActorKind.API_KEY, key.pk)
        assert event.detail == {"courier_slug": "usps", "partner": partner.pk}
        assert connection_id in event.summary
        assert [t.object_label for t in event.targets.all()] == [f"USPS connection {connection_id}"]
        recorded = json.dumps([event.summary, event.detail, event.actor_label])
        for value in secrets:
            assert value not in recorded
