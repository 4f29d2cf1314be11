"""Print houses: who prints and mails an order, behind one small interface.

Every order is handed to exactly one print house when it is created, the way a shipment is
handed to a carrier (`tracking/carriers/base.py`):

- `in_house` (the default): the print room's queue (`mailorders.services.print_queue`). Ready
  orders are gathered into batches, printed, mailed and scanned in shipdesk itself.
- `provider`: an upstream PostGrid-compatible print-mail service
  (`mailorders.services.print_provider`), which forwards the order and follows its status.

Which one: the most specific `PrintRoute` for the order's partner and mailing class wins (a
route with the order's mailing class, then the partner's route with a blank mailing class);
with no route, `DEFAULT_HOUSE`. The choice is stored on the order's `PrintJob` when the order is
created and never changes afterwards (re-routing an order would risk printing it twice).

What a print house does, and when shipdesk calls it:

- `submit(job=…, order=…)` once the order's creation has committed (`transaction.on_commit`),
  and again for jobs still `pending` by `print_jobs_submit_pending` (a periodic task or
  `manage.py print_submit`). It must be idempotent: a crash between the call and the job's save
  means the same job is submitted again; `job.idempotency_key` is the key to send upstream.
  It records what it learnt on the job (`external_id`, `external_status`, `state`,
  `attempts`, `next_attempt_at`, `last_error`) and saves it; it raises nothing for a transient
  failure (leave the job `pending` with `next_attempt_at` set).
- `cancel(job=…, order=…, actor=…)` from `order_cancel`, inside its transaction with the order
  row locked and still `ready`, before the status changes. Raise `MailOrderError` (field
  `status`, code `invalid_transition`) to refuse, e.g. when the pieces are already printed:
  nothing is changed then. Returning means the house will not print the order.

How progress comes back: a print house never writes an order's status itself. It reports what
happened through `mailorders.services.printhouse`:

- `print_status_report(order=…, status=…, actor=…)` brings the order forward to a PostGrid
  status (`printing`, `processed_for_delivery`, `completed`) one step at a time through
  `order_progress`, so every step is audited and sends its `<object>.updated` webhook. A status
  the order already has (or has passed) changes nothing: reports may repeat or arrive late.
  `tracking_number=` gives a certified or registered order the number printed on the piece
  (its tracked Shipment is made and linked) in the same step that processes it for delivery
  (or, reported later, through `order_tracking_number_set`); without one, `order_progress`
  generates a number.
  `status="cancelled"` records a cancellation the house made (only while `ready`).
- IMb scans go through `mailorders.services.imb.imb_scans_apply`, as the IV-MTR feed does.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from mailorders.models import MailOrder, PrintJob
    from shipdesk.audit import Actor

IN_HOUSE = "in_house"
PROVIDER = "provider"
DEFAULT_HOUSE = IN_HOUSE

# Print house key -> dotted path of its PrintHouse class (imported when first used).
PRINT_HOUSES: dict[str, str] = {
    IN_HOUSE: "mailorders.services.print_queue.InHousePrintHouse",
    PROVIDER: "mailorders.services.print_provider.ProviderPrintHouse",
}
HOUSE_CHOICES = [(IN_HOUSE, "In-house print queue"), (PROVIDER, "Upstream print-mail provider")]


class PrintHouse(ABC):
    """One way of getting an order printed and mailed. Stateless: one instance serves all."""

    key: ClassVar[str]
    label: ClassVar[str]

    @abstractmethod
    def submit(self, *, job: PrintJob, order: MailOrder) -> None:
        """Take a ready order for printing (idempotent; see the module's docstring)."""

    def withdraw(self, *, job: PrintJob | None, order: MailOrder, actor: Actor) -> None:
        """Ask whoever else holds a ready order to drop it, or raise MailOrderError to refuse.
        Called before the cancel's transaction, so a call over the network holds no lock;
        most houses have no one to ask."""
        return None

    @abstractmethod
    def cancel(self, *, job: PrintJob | None, order: MailOrder, actor: Actor) -> None:
        """Withdraw a ready order, or raise MailOrderError to refuse (inside the cancel's
        transaction, the order locked). `job` is None only for orders made before print jobs
        existed, which belong to the default house."""


_instances: dict[str, PrintHouse] = {}


def printhouse_get(key: str) -> PrintHouse:
    """The print house registered under `key` (KeyError for an unknown one)."""
    house = _instances.get(key)
    if house is None:
        house = _instances[key] = import_string(PRINT_HOUSES[key])()
    return house


def printhouse_key_for(*, partner, mailing_class: str) -> str:
    """The print house for a new order of this partner and mailing class."""
    from mailorders.models import PrintRoute

    routes = {
        route.mailing_class: route.house
        for route in PrintRoute.objects.filter(
            partner=partner, mailing_class__in=["", mailing_class]
        )
    }
    return routes.get(mailing_class) or routes.get("") or DEFAULT_HOUSE
