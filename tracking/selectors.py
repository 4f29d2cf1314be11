"""Reads about shipments."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce
from operator import or_
from types import SimpleNamespace

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Upper
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThan, StartsWith
from django.utils import timezone

from shipdesk.keyset import KeysetPage, SortKey, keyset_page
from shipdesk.prepared import PreparedIn
from tracking.choices import Tag
from tracking.models import Checkpoint, Shipment, Subscriber
from tracking.numbers import normalize
from tracking.zones import event_time_label, us_state


def tag_counts() -> list[dict]:
    """Every tag with its number of shipments (zero included), in lifecycle order."""
    counts = dict(Shipment.objects.order_by().values_list("tag").annotate(n=Count("id")))
    return [{"tag": tag, "label": tag.label, "count": counts.get(tag.value, 0)} for tag in Tag]


def trackings_filter(qs, params: dict):
    """Apply the AfterShip list filters (validated by ListQuerySerializer) to a queryset."""
    keyword = params.get("keyword", "").strip()
    if keyword:
        qs = qs.filter(keyword_q(keyword))
    if params.get("tag"):
        qs = qs.filter(tag__in=params["tag"])
    if params.get("slug"):
        qs = qs.filter(slug__in=params["slug"])
    if params.get("origin"):
        qs = qs.filter(origin_country_iso3__in=params["origin"])
    if params.get("destination"):
        qs = qs.filter(destination_country_iso3__in=params["destination"])
    for name, lookup in (
        ("created_at_min", "created_at__gte"),
        ("created_at_max", "created_at__lte"),
        ("updated_at_min", "updated_at__gte"),
        ("updated_at_max", "updated_at__lte"),
    ):
        if params.get(name):
            qs = qs.filter(**{lookup: params[name]})
    if params.get("order_id"):
        qs = qs.filter(order_id=params["order_id"])
    if params.get("tracking_numbers"):
        qs = qs.filter(tracking_number__in=params["tracking_numbers"])
    if params.get("return_to_sender") is not None:
        qs = qs.filter(return_to_sender=params["return_to_sender"])
    # 2026-07's own filters
    if params.get("courier_destination_country_region"):
        codes = params["courier_destination_country_region"]
        qs = qs.filter(
            Q(courier_destination_country_iso3__in=codes)
            | Q(courier_destination_country_iso3="", destination_country_iso3__in=codes)
        )
    for tag in params.get("shipment_tags") or []:
        # As JSON text (SQLite has no JSON containment); SQLite keeps non-ASCII escaped.
        spellings = {json.dumps(tag), json.dumps(tag, ensure_ascii=False)}
        qs = qs.filter(Q.create([("shipment_tags__icontains", x) for x in spellings], "OR"))
    if params.get("transit_time") is not None:
        qs = qs.filter(tag=Tag.DELIVERED, delivery_time=params["transit_time"])
    return qs


def keyword_q(keyword: str, *, indexed: bool = False) -> Q:
    """Tracking number (exact or prefix), title, order id/number, customer, custom fields,
    e-mails and phone numbers.

    `indexed=True` keeps to what indexes answer on a million rows (the agents' search): names
    and titles by prefix rather than anywhere inside, no custom fields, an e-mail address or
    a phone number only among subscribers, and a shipping label's id (`label_…`) only among
    labels.
    """
    if indexed:
        return _indexed_keyword_q(keyword)
    number = normalize(keyword)
    q = (
        Q(order_id=keyword)
        | Q(order_number=keyword)
        | Q(title__icontains=keyword)
        | Q(customer_name__icontains=keyword)
        | Q(id__in=Subscriber.objects.filter(address__iexact=keyword).values("shipment_id"))
    )
    if number:  # a keyword of dashes and spaces only would be a prefix of every number
        q |= Q(tracking_number__startswith=number)
    if len(keyword) >= 3:
        q |= Q(custom_fields__icontains=keyword) | Q(customers__icontains=keyword)
        # SQLite keeps JSON as text with non-ASCII characters escaped (`\u00e9`) and quotes
        # escaped everywhere: search that spelling too.
        escaped = json.dumps(keyword)[1:-1]
        if escaped != keyword:
            q |= Q(custom_fields__icontains=escaped) | Q(customers__icontains=escaped)
    return q


# The shipment page


def shipment_page_queryset():
    """Shipments with what the shipment page shows beside them: partner, checkpoints,
    subscribers, and the shipping labels that created them (`labels`, the reverse of the
    mail-order app's Label.shipment, newest first).

    Four queries whatever the number of checkpoints, subscribers or labels.
    """
    return Shipment.objects.select_related("partner").prefetch_related(
        "checkpoints", "subscribers", "labels"
    )


_PHONE = re.compile(r"\+[0-9\s().-]{6,30}")
# A shipping label's id (`label_` and 22 letters or digits), as partners and labels print it.
LABEL_ID = re.compile(r"label_[A-Za-z0-9]{22}")
_PHONE_NOISE = re.compile(r"[\s().-]")


def _indexed_keyword_q(keyword: str) -> Q:
    return reduce(or_, keyword_branches(keyword))


def keyword_branches(keyword: str) -> list[Q]:
    """The alternatives of the agents' search (keyword_q with indexed=True), each one its own
    indexes serve: the identifiers a caller reads out (public id, order id and number) are one
    alternative, as few rows match them (one bitmap of their three indexes), the prefixes one
    each (a common name's match hundreds of rows, read in the page's order from its index)."""
    keyword = " ".join(keyword.split())
    if "@" in keyword:  # an e-mail address: nothing else has one
        return [Q(id__in=_subscribed(keyword))]
    if _PHONE.fullmatch(keyword):
        return [Q(id__in=_subscribed(_PHONE_NOISE.sub("", keyword)))]
    if LABEL_ID.fullmatch(keyword):  # the shipment a label created, by the label's primary key
        return [Q(labels__id=keyword)]
    branches = [
        Q(public_id=keyword) | Q(order_id=keyword) | Q(order_number=keyword),
        prefix_q(Upper("customer_name"), db_upper(keyword)),
        prefix_q(Upper("title"), db_upper(keyword)),
    ]
    number = normalize(keyword)
    if number.isalnum():
        branches.append(prefix_q(F("tracking_number"), number))
    return branches


def _subscribed(address: str):
    """Ids of the shipments `address` subscribes to (any case; index on UPPER(address))."""
    return Subscriber.objects.filter(Exact(Upper("address"), db_upper(address))).values(
        "shipment_id"
    )


def db_upper(text: str) -> str:
    """`text` as the database's UPPER() spells it (SQLite's folds ASCII letters only)."""
    if connection.vendor == "sqlite":
        return "".join(c.upper() if c.isascii() else c for c in text)
    return text.upper()


def prefix_q(expression, prefix: str) -> Q:
    """`expression` starts with `prefix`, in the form an index serves: LIKE on PostgreSQL
    (shipdesk.indexes.PrefixIndex), a range elsewhere (SQLite's LIKE ignores case, so it
    skips indexes)."""
    if connection.vendor == "postgresql" or not prefix:
        return Q(StartsWith(expression, prefix))
    successor = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(GreaterThanOrEqual(expression, prefix), LessThan(expression, successor))


# --- result pages (search and needs-attention) --------------------------------------------------


@dataclass(frozen=True)
class Sort:
    label: str
    key: SortKey


SORTS = {
    "updated": Sort("Recently updated", SortKey("updated_at", descending=True)),
    "created": Sort("Recently created", SortKey("created_at", descending=True)),
    "promised": Sort(
        "Promised date, soonest first",
        SortKey("order_promised_delivery_date", descending=False, nullable=True),
    ),
}


# What the result table shows (templates/tracking/_results.html) and the sorts read.
RESULT_FIELDS = (
    "id",
    "public_id",
    "tracking_number",
    "slug",
    "tag",
    "subtag_message",
    "customer_name",
    "order_id",
    "order_number",
    "created_at",
    "updated_at",
    "order_promised_delivery_date",
    "source",
)
CHECKPOINT_FIELDS = (
    "id",
    "message",
    "city",
    "state",
    "country_iso3",
    "checkpoint_time",
    "utc_offset_minutes",
)
TAG_LABELS = dict(Tag.choices)


class ResultRow(SimpleNamespace):
    """A shipment as the result table shows it: plain values rather than a model instance
    (a hundred wide rows build several times faster), and what the cells print."""

    @property
    def pk(self) -> int:
        return self.id

    @property
    def tag_label(self) -> str:
        return TAG_LABELS.get(self.tag, self.tag)

    @property
    def carrier(self) -> str:
        return self.slug.upper()

    @property
    def from_label(self) -> bool:
        """Created by a shipping label bought through shipdesk."""
        return self.source == "label"

    @property
    def age(self) -> str:
        """Since creation, in its largest whole unit: "3 d", "5 h", "12 min", "now"."""
        seconds = (timezone.now() - self.created_at).total_seconds()
        for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
            if seconds >= size:
                return f"{int(seconds // size)} {unit}"
        return "now"


class CheckpointRow(SimpleNamespace):
    """The last checkpoint of a result row: its message, place and local time."""

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.city.title(), self.state) if part)

    @property
    def when(self) -> str:
        """In the event's own zone: `Nov 20, 2026 14:05 CST (UTC-06:00)`."""
        state = us_state(self.state, self.country_iso3)
        return event_time_label(self.checkpoint_time, self.utc_offset_minutes, state)


def shipments_page(
    qs: QuerySet, *, sort: str, size: int, branches: list[Q] | None = None, **where
) -> KeysetPage:
    """One page of the result table: ResultRows with `partner_name` and `last_checkpoint`
    (message, place and time; None when there is none).

    Two queries whatever the page size, one when no row has a checkpoint. `where`: after or
    before (decoded cursors) or offset, see shipdesk.keyset.keyset_page. With `branches`
    (alternatives, see keyword_branches), the rows of `qs` matching any of them; on
    PostgreSQL the page's rows are then chosen branch by branch (BranchRows), one query more.
    """
    if branches and len(branches) > 1 and connection.vendor == "postgresql":
        qs = BranchRows(qs, branches)
    else:
        if branches:
            qs = qs.filter(reduce(or_, branches))
        qs = qs.values(*RESULT_FIELDS, **SHOWN)
    page = keyset_page(qs, SORTS[sort].key, size=size, wrap=lambda row: ResultRow(**row), **where)
    ids = [row.last_checkpoint_id for row in page.rows if row.last_checkpoint_id]
    checkpoints = {c["id"]: CheckpointRow(**c) for c in LAST_CHECKPOINTS.rows(ids)}
    for row in page.rows:
        row.last_checkpoint = checkpoints.get(row.last_checkpoint_id)
    return page


# Beside RESULT_FIELDS, what a result row shows: its partner's name and the id of its last
# checkpoint (read by LAST_CHECKPOINTS).
SHOWN = {
    "partner_name": F("partner__name"),
    "last_checkpoint_id": Subquery(
        Checkpoint.objects.filter(shipment=OuterRef("pk"))
        .order_by("-checkpoint_time", "-id")
        .values("id")[:1]
    ),
}
# The page's rows and their last checkpoints by primary key, their SQL built once
# (shipdesk.prepared): building these wide reads cost more than running them.
PAGE_ROWS = PreparedIn(Shipment.objects.order_by().values(*RESULT_FIELDS, **SHOWN), "pk")
LAST_CHECKPOINTS = PreparedIn(Checkpoint.objects.order_by().values(*CHECKPOINT_FIELDS), "id")


class BranchRows:
    """Rows of `base` matching any of `branches`, sliced the way keyset_page slices a queryset
    (filter, order_by, then one slice) but chosen branch by branch: each branch's first rows in
    the page's order, from its own index (the name prefix's covers the sort columns), merged
    into one page; only the page's rows are then read in full (PAGE_ROWS: they are rows of
    `base` already). An OR of the branches would visit every matching row (hundreds for a
    common name) before sorting them.
    """

    def __init__(self, base: QuerySet, branches: list[Q], extra=(), ordering=()):
        self.base, self.branches = base, branches
        self.extra, self.ordering = tuple(extra), tuple(ordering)

    def filter(self, q: Q) -> BranchRows:
        return BranchRows(self.base, self.branches, (*self.extra, q), self.ordering)

    def order_by(self, *ordering) -> BranchRows:
        return BranchRows(self.base, self.branches, self.extra, ordering)

    def __getitem__(self, window: slice) -> list[dict]:
        stop = window.stop
        field = _ordering_field(self.ordering[0])
        sorted_keys = self.base.order_by(*self.ordering).values_list("pk", field)
        parts = [sorted_keys.filter(branch, *self.extra)[:stop] for branch in self.branches]
        picked = parts[0].union(*parts[1:]).order_by()  # merged here, in Python
        ids = [pk for pk, _ in _in_order(picked, self.ordering)][window]
        rows = {row["id"]: row for row in PAGE_ROWS.rows(ids)}
        return [rows[pk] for pk in ids if pk in rows]


def _ordering_field(term) -> str:
    if isinstance(term, str):
        return term.lstrip("-")
    return term.expression.name  # OrderBy(F(name))


def _in_order(rows, ordering) -> list[tuple]:
    """(pk, value) rows sorted as `ordering` (a SortKey's: its field, then pk) sorts them."""
    first = ordering[0]
    if isinstance(first, str):
        descending, nulls_first = first.startswith("-"), False
    else:
        descending, nulls_first = first.descending, bool(first.nulls_first)
    pk_descending = ordering[1].startswith("-")
    rows = sorted(set(rows), key=lambda row: row[0], reverse=pk_descending)
    present = sorted((r for r in rows if r[1] is not None), key=lambda r: r[1], reverse=descending)
    empty = [r for r in rows if r[1] is None]
    return empty + present if nulls_first else present + empty


def shipments_count(qs: QuerySet, cap: int, *, branches: list[Q] | None = None) -> int:
    """How many rows of `qs` match any of `branches` (all of them without), counting no
    further than cap + 1; on PostgreSQL branch by branch, each from its own index."""
    if branches and len(branches) > 1 and connection.vendor == "postgresql":
        keys = qs.order_by().values_list("pk")
        parts = [keys.filter(b)[: cap + 1] for b in branches]
        return min(parts[0].union(*parts[1:]).count(), cap + 1)
    if branches:
        qs = qs.filter(reduce(or_, branches))
    return qs.order_by()[: cap + 1].count()


# --- needs attention ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AttentionKind:
    key: str
    label: str
    description: str


ATTENTION_KINDS = (
    AttentionKind("exception", "Exceptions", "The carrier reports a problem."),
    AttentionKind("failed", "Failed attempts", "Delivery was attempted and failed."),
    AttentionKind("pickup", "Available for pickup", "Waiting for the customer at a post office."),
    AttentionKind("stale", "No movement", "No carrier event for {days} days or more."),
    AttentionKind("overdue", "Past promised date", "Not delivered by the date promised."),
)


def attention_q(kind: str, *, now=None) -> Q:
    """The shipments still tracked (active) that need a person, by kind (ATTENTION_KINDS)."""
    now = now or timezone.now()
    if kind == "exception":
        q = Q(tag=Tag.EXCEPTION)
    elif kind == "failed":
        q = Q(tag=Tag.ATTEMPT_FAIL)
    elif kind == "pickup":
        q = Q(tag=Tag.AVAILABLE_FOR_PICKUP)
    elif kind == "stale":
        cut = now - timedelta(days=settings.ATTENTION_STALE_DAYS)
        q = ~Q(tag__in=[Tag.DELIVERED, Tag.EXPIRED]) & (
            Q(last_event_at__lt=cut) | Q(last_event_at__isnull=True, created_at__lt=cut)
        )
    elif kind == "overdue":
        today = timezone.localdate(now)
        q = Q(order_promised_delivery_date__lt=today) & ~Q(tag=Tag.DELIVERED)
    else:
        raise ValueError(f"unknown attention kind {kind!r}")
    return Q(active=True) & q


def attention_counts(*, now=None) -> dict[str, int]:
    """{kind: number of shipments} for every ATTENTION_KINDS key, in one query."""
    now = now or timezone.now()
    return Shipment.objects.filter(active=True).aggregate(
        **{k.key: Count("id", filter=attention_q(k.key, now=now)) for k in ATTENTION_KINDS}
    )
