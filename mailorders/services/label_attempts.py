"""Label attempts whose outcome nobody learnt, settled in the background.

A live label attempt USPS did not answer stays CREATING (see usps_labels): the partner's retry
settles it, and when no retry comes this sweep does, so no bought label is left unrecorded.
An attempt is left alone for a few minutes first, so the sweep never races the request that
made it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from mailorders.choices import LabelStatus
from mailorders.models import Label
from mailorders.services.common import LabelError
from mailorders.services.usps_labels import label_attempt_reconcile
from shipdesk.audit import Actor

SWEEP = Actor.system("label reconcile")


@dataclass
class ReconcileReport:
    settled: int = 0  # USPS answered the label it bought (or bought it now, once)
    refused: int = 0  # USPS refused: the attempt is gone, nothing was bought
    unknown: int = 0  # USPS still did not answer: tried again next sweep

    def as_dict(self) -> dict:
        return asdict(self)


def label_attempts_reconcile(*, now=None) -> ReconcileReport:
    """Settle every live attempt left CREATING for longer than LABEL_ATTEMPT_SETTLE_SECONDS."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.LABEL_ATTEMPT_SETTLE_SECONDS)
    stale = Label.objects.filter(
        status=LabelStatus.CREATING, shipper_account__sandbox=False, created_at__lt=cutoff
    ).select_related("shipper_account")
    report = ReconcileReport()
    for attempt in stale.order_by("created_at"):
        try:
            label_attempt_reconcile(label=attempt, actor=SWEEP)
        except LabelError:
            if Label.objects.filter(pk=attempt.pk, status=LabelStatus.CREATING).exists():
                report.unknown += 1
            else:
                report.refused += 1
        else:
            report.settled += 1
    return report
