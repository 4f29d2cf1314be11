"""Reads for the print room: the queue of orders waiting to print, grouped as they batch."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from mailorders.choices import MailingClass, OrderStatus
from mailorders.models import ORDER_MODELS, PrintBatch, PrintBatchPiece, PrintJob
from mailorders.print_models import PieceState
from mailorders.printhouse import IN_HOUSE

KIND_LABELS = {"letter": "letters", "postcard": "postcards", "cheque": "cheques",
               "self_mailer": "self-mailers"}  # fmt: skip
SIZELESS_KINDS = {"cheque": "us_letter"}  # cheques print on letter-size cheque stock


@dataclass(frozen=True)
class BatchKey:
    """What the pieces of one batch share."""

    object_type: str
    size: str
    color: bool
    double_sided: bool
    mailing_class: str
    live: bool

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def label(self) -> str:
        colour = "colour" if self.color else "black and white"
        sides = "double-sided" if self.double_sided else "single-sided"
        test = "" if self.live else " (test)"
        return (
            f"{KIND_LABELS[self.object_type]} {self.size}, {colour}, {sides}, "
            f"{MailingClass(self.mailing_class).label}{test}"
        )

    @property
    def token(self) -> str:
        """The key as one form value (`letter|us_letter|0|1|first_class|1`)."""
        return "|".join(
            [self.object_type, self.size, str(int(self.color)), str(int(self.double_sided)),
             self.mailing_class, str(int(self.live))]
        )  # fmt: skip

    @classmethod
    def from_token(cls, token: str) -> BatchKey | None:
        parts = token.split("|")
        if len(parts) != 6 or parts[0] not in ORDER_MODELS:
            return None
        if parts[4] not in MailingClass.values or any(
            p not in "01" for p in (parts[2], parts[3], parts[5])
        ):
            return None
        if not parts[1] or len(parts[1]) > 20:
            return None
        return cls(parts[0], parts[1], parts[2] == "1", parts[3] == "1", parts[4], parts[5] == "1")


def batch_key_of(batch: PrintBatch) -> BatchKey:
    return BatchKey(
        object_type=batch.object_type,
        size=batch.size,
        color=batch.color,
        double_sided=batch.double_sided,
        mailing_class=batch.mailing_class,
        live=batch.live,
    )


def _in_queue(model) -> QuerySet:
    elsewhere = PrintJob.objects.filter(object_type=model.OBJECT, order_id=OuterRef("pk")).exclude(
        house=IN_HOUSE
    )
    batched = PrintBatchPiece.objects.filter(
        object_type=model.OBJECT, order_id=OuterRef("pk")
    ).exclude(state=PieceState.PULLED)
    return model.objects.filter(status=OrderStatus.READY, send_date__lte=timezone.now()).filter(
        ~Exists(elsewhere), ~Exists(batched)
    )


def queue_orders(key: BatchKey) -> QuerySet:
    model = ORDER_MODELS[key.object_type]
    qs = _in_queue(model).filter(
        color=key.color,
        double_sided=key.double_sided,
        mailing_class=key.mailing_class,
        live=key.live,
    )
    if key.object_type not in SIZELESS_KINDS:
        qs = qs.filter(size=key.size)
    return qs.select_related("to")


@dataclass(frozen=True)
class QueueGroup:
    key: BatchKey
    count: int
    first_zip: str
    last_zip: str


def queue_groups() -> list[QueueGroup]:
    """The queue by batch key (one query per kind of order), live ones first."""
    groups = []
    for object_type, model in ORDER_MODELS.items():
        fields = ["color", "double_sided", "mailing_class", "live"]
        if object_type not in SIZELESS_KINDS:
            fields.insert(0, "size")
        rows = (
            _in_queue(model)
            .values(*fields)
            .annotate(n=Count("pk"), first=Min("to__postal_or_zip"), last=Max("to__postal_or_zip"))
            .order_by(*fields)
        )
        for row in rows:
            key = BatchKey(
                object_type=object_type,
                size=row.get("size") or SIZELESS_KINDS.get(object_type, ""),
                color=row["color"],
                double_sided=row["double_sided"],
                mailing_class=row["mailing_class"],
                live=row["live"],
            )
            groups.append(QueueGroup(key, row["n"], row["first"] or "", row["last"] or ""))
    groups.sort(key=lambda group: (not group.key.live, group.key.object_type, -group.count))
    return groups


def batches_recent(*, status: str = "", limit: int = 50) -> list[PrintBatch]:
    """Batches newest first, each with its piece counts by state (one query)."""
    qs = PrintBatch.objects.annotate(
        n_pieces=Count("pieces", filter=~Q(pieces__state=PieceState.PULLED)),
        n_failed=Count("pieces", filter=Q(pieces__state=PieceState.FAILED)),
        n_pulled=Count("pieces", filter=Q(pieces__state=PieceState.PULLED)),
    ).order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    return list(qs[:limit])


def batch_pieces_page(batch: PrintBatch, *, offset: int = 0, limit: int = 100) -> list:
    """(piece, order) pairs of one page of a batch, in presort order (two queries)."""
    pieces = list(batch.pieces.order_by("sequence")[offset : offset + limit])
    model = ORDER_MODELS[batch.object_type]
    orders = model.objects.with_contacts().in_bulk([piece.order_id for piece in pieces])
    return [(piece, orders.get(piece.order_id)) for piece in pieces]
