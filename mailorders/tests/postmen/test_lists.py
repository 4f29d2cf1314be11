"""/postmen/v3/ lists: keyset `next_token` paging, filters, bad tokens and filters named in
`details`, partner isolation, a fixed number of queries whatever the page size; shipper accounts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mailorders.choices import LabelStatus
from mailorders.models import Label, Manifest, ShipperAccount
from mailorders.tests.label_rows import labels_bulk_create
from mailorders.tests.postmen.support import PREFIX, ok, refused

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def newest_first(rows) -> list[str]:
    return [row.pk for row in sorted(rows, key=lambda r: (r.created_at, r.pk), reverse=True)]


def flat(pages: list[list[str]]) -> list[str]:
    return [pk for page in pages for pk in page]


def walk(api, path: str, key: str, **params) -> list[list[str]]:
    """Every page of a list, as the ids on each."""
    pages, token = [], ""
    while True:
        data = ok(api.get(f"{PREFIX}/{path}", {**params, "next_token": token}))
        pages.append([row["id"] for row in data[key]])
        token = data["next_token"]
        if not token:
            return pages


def test_walking_every_page_gives_each_label_once_newest_first(api, account):
    # Some share a created_at to the microsecond: their ids order them.
    labels = labels_bulk_create(account, 9, start=T0, step=dt.timedelta(0))
    labels += labels_bulk_create(account, 14, start=T0 + dt.timedelta(seconds=1))
    pages = walk(api, "labels", "labels", limit=5)
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    assert flat(pages) == newest_first(labels)
    first = ok(api.get(f"{PREFIX}/labels", {"limit": 100}))
    assert [row["id"] for row in first["labels"]] == newest_first(labels)
    assert first["limit"] == 100 and first["next_token"] == ""


def test_labels_created_while_paging_neither_repeat_nor_skip_older_ones(api, account):
    older = labels_bulk_create(account, 12, start=T0)
    first = ok(api.get(f"{PREFIX}/labels", {"limit": 5}))
    seen = [row["id"] for row in first["labels"]]
    newer = labels_bulk_create(account, 6, start=timezone.now())
    token = first["next_token"]
    while token:
        data = ok(api.get(f"{PREFIX}/labels", {"limit": 5, "next_token": token}))
        seen += [row["id"] for row in data["labels"]]
        token = data["next_token"]
    assert seen == newest_first(older)
    assert not set(seen) & {label.pk for label in newer}
    assert [row["id"] for row in ok(api.get(f"{PREFIX}/labels"))["labels"][:6]] == newest_first(
        newer
    )


def test_label_filters(api, partner, account):
    second = ShipperAccount.objects.create(
        partner=partner, description="Second", mailer_id="900000002"
    )
    early = labels_bulk_create(account, 4, start=T0)
    late = labels_bulk_create(account, 3, start=T0 + dt.timedelta(days=2))
    cancelled = labels_bulk_create(
        account, 2, start=T0 + dt.timedelta(days=1), status=LabelStatus.CANCELLED
    )
    other_account = labels_bulk_create(second, 3, start=T0 + dt.timedelta(days=1))

    def ids(**params) -> list[str]:
        return flat(walk(api, "labels", "labels", limit=2, **params))

    assert ids(status="cancelled") == newest_first(cancelled)
    assert ids(shipper_account_id=second.pk) == newest_first(other_account)
    assert ids(shipper_account_id=account.pk, status="created") == newest_first(early + late)
    wanted = [early[1].tracking_number, late[2].tracking_number.lower()]
    assert ids(tracking_numbers=f" {wanted[0]} , {wanted[1]}") == newest_first([early[1], late[2]])
    assert ids(tracking_numbers="9205590000000000000000") == []
    day_two = T0 + dt.timedelta(days=1)
    assert ids(created_at_min=day_two.isoformat()) == newest_first(late + cancelled + other_account)
    assert ids(created_at_max="2026-11-02T09:00:02Z") == newest_first(early[:3])
    assert ids(created_at_min="2026-11-03", created_at_max="2026-11-03T23:59:59+00:00") == (
        newest_first(cancelled + other_account)
    )


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"status": "lost"}, "status"),
        ({"shipper_account_id": "x" * 41}, "shipper_account_id"),
        ({"shipper_account_id": "shipper_<script>"}, "shipper_account_id"),
        ({"tracking_numbers": "9205,!!"}, "tracking_numbers"),
        ({"tracking_numbers": ",".join(["92055900000000000000001"] * 51)}, "tracking_numbers"),
        ({"tracking_numbers": " , "}, "tracking_numbers"),
        ({"created_at_min": "yesterday"}, "created_at_min"),
        ({"created_at_max": "2026-02-30T00:00:00Z"}, "created_at_max"),
        ({"created_at_min": "2026-11-05", "created_at_max": "2026-11-04"}, "created_at_max"),
        ({"next_token": "1"}, "next_token"),
        ({"next_token": "not-a-token"}, "next_token"),
    ],
)
def test_bad_filters_and_tokens_are_named(api, account, params, field):
    for path in ("labels", "manifests"):
        if path == "manifests" and field == "tracking_numbers":
            continue
        meta = refused(api.get(f"{PREFIX}/{path}", params), 400)
        assert [d["path"] for d in meta["details"]] == [field], meta


def test_tampered_foreign_and_other_list_tokens_are_refused(api, other_api, partner, account):
    labels_bulk_create(account, 3, start=T0)
    Manifest.objects.create(partner=partner, shipper_account=account)
    Manifest.objects.create(partner=partner, shipper_account=account)
    token = ok(api.get(f"{PREFIX}/labels", {"limit": 1}))["next_token"]
    manifest_token = ok(api.get(f"{PREFIX}/manifests", {"limit": 1}))["next_token"]
    assert token and manifest_token
    tampered = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    for client, path, bad in [
        (api, "labels", tampered),
        (api, "labels", token + "x"),
        (api, "labels", manifest_token),  # another list's token
        (api, "manifests", token),
        (other_api, "labels", token),  # another partner's token
        (other_api, "manifests", manifest_token),
    ]:
        meta = refused(client.get(f"{PREFIX}/{path}", {"next_token": bad}), 400)
        assert meta["details"][0]["path"] == "next_token"


def test_a_token_pages_only_the_filtered_list_that_gave_it(api, account):
    labels_bulk_create(account, 4, start=T0)
    filtered = {"status": "created", "limit": 1}
    token = ok(api.get(f"{PREFIX}/labels", filtered))["next_token"]

    # The same filters with another page size go on; other filters, or none, are refused.
    assert ok(api.get(f"{PREFIX}/labels", {**filtered, "limit": 2, "next_token": token}))
    for params in (
        {},
        {"status": "cancelled"},
        {"status": "created", "created_at_min": "2026-01-01T00:00:00Z"},
    ):
        meta = refused(api.get(f"{PREFIX}/labels", {**params, "next_token": token}), 400)
        assert meta["details"][0]["path"] == "next_token"


def test_another_partner_sees_nothing(api, other_api, other_partner, account):
    labels_bulk_create(account, 3, start=T0)
    Manifest.objects.create(partner=account.partner, shipper_account=account)
    theirs = ShipperAccount.objects.create(partner=other_partner, description="Theirs")
    assert ok(other_api.get(f"{PREFIX}/labels"))["labels"] == []
    assert ok(other_api.get(f"{PREFIX}/labels", {"shipper_account_id": account.pk}))["labels"] == []
    assert ok(other_api.get(f"{PREFIX}/manifests"))["manifests"] == []
    accounts = ok(other_api.get(f"{PREFIX}/shipper-accounts"))["shipper_accounts"]
    assert [a["id"] for a in accounts] == [theirs.pk]
    refused(other_api.get(f"{PREFIX}/shipper-accounts/{account.pk}"), 404, 4140)
    refused(api.get(f"{PREFIX}/shipper-accounts/{theirs.pk}"), 404, 4140)


def queries_for(api, path: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        ok(api.get(f"{PREFIX}/{path}", params))
    return len(captured.captured_queries)


@pytest.mark.parametrize("path", ["labels", "manifests", "shipper-accounts"])
def test_a_page_costs_the_same_queries_whatever_its_size_or_place(
    api, partner, account, path, time_machine
):
    # The clock stands still: a new throttle second, or the key's last-used time falling due,
    # would add a query to whichever request met it.
    time_machine.move_to(T0 + dt.timedelta(days=1), tick=False)
    labels = labels_bulk_create(account, 150, start=T0)
    for n in range(0, 150, 5):  # 30 manifests of five labels each
        manifest = Manifest.objects.create(
            partner=partner, shipper_account=account, created_at=T0 + dt.timedelta(minutes=n)
        )
        Label.objects.filter(pk__in=[label.pk for label in labels[n : n + 5]]).update(
            manifest=manifest
        )
    for n in range(30):
        ShipperAccount.objects.create(partner=partner, description=f"Account {n}")
    key = path.replace("-", "_")
    ok(api.get(f"{PREFIX}/{path}"))  # warm the key and throttle caches alike for every count
    token = ok(api.get(f"{PREFIX}/{path}", {"limit": 3}))["next_token"]
    deep = ok(api.get(f"{PREFIX}/{path}", {"limit": 20, "next_token": token}))
    assert len(deep[key]) == 20 and deep["next_token"]
    counts = {
        queries_for(api, path, {"limit": 1}),
        queries_for(api, path, {"limit": 100}),
        queries_for(api, path, {"limit": 20, "next_token": token}),
        queries_for(api, path, {"limit": 20, "next_token": deep["next_token"]}),
    }
    assert len(counts) == 1, counts
    assert counts.pop() <= (5 if path == "manifests" else 4)


def test_manifests_list_pages_with_their_labels_and_files(api, partner, account):
    made = []
    for n in range(5):
        labels_bulk_create(account, 2, start=T0 + dt.timedelta(hours=n))
        made.append(ok(api.post(f"{PREFIX}/manifests", {"shipper_account": {"id": account.pk}})))
    pages = walk(api, "manifests", "manifests", limit=2)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert flat(pages) == [m["id"] for m in reversed(made)]
    listed = ok(api.get(f"{PREFIX}/manifests", {"limit": 100}))["manifests"]
    assert listed == list(reversed(made))
    assert all(len(m["labels"]) == 2 and m["files"]["manifest"]["url"] for m in listed)
    one = ok(api.get(f"{PREFIX}/manifests", {"status": "failed"}))
    assert one == {"limit": 20, "next_token": "", "manifests": []}


def test_shipper_accounts_in_postmens_shape(api, partner, settings, account):
    settings.TIME_ZONE = "America/New_York"
    second = ShipperAccount.objects.create(
        partner=partner, description="Warehouse 3", mailer_id="900000042"
    )
    data = ok(api.get(f"{PREFIX}/shipper-accounts", {"limit": 1}))
    assert data["limit"] == 1 and data["next_token"]
    assert data["shipper_accounts"] == [ok(api.get(f"{PREFIX}/shipper-accounts/{second.pk}"))]
    created = second.created_at.isoformat().replace("+00:00", "Z")
    assert data["shipper_accounts"][0] == {
        "id": second.pk,
        "address": None,
        "slug": "usps",
        "status": "enabled",
        "description": "Warehouse 3",
        "type": "default",
        "timezone": "America/New_York",
        "settings": {"sandbox": True, "mailer_id": "900000042"},
        "created_at": created,
        "updated_at": created,
    }
    rest = ok(api.get(f"{PREFIX}/shipper-accounts", {"next_token": data["next_token"]}))
    assert [a["id"] for a in rest["shipper_accounts"]] == [account.pk] and not rest["next_token"]
    refused(api.get(f"{PREFIX}/shipper-accounts", {"next_token": "zz"}), 400)
    refused(api.get(f"{PREFIX}/shipper-accounts/shipper_nope"), 404, 4140)
