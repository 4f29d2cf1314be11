"""Queue the sweep that settles unanswered live label attempts (manage.py db_worker runs it)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from mailorders.tasks import schedule_label_reconcile


class Command(BaseCommand):
    help = (
        "Queue the label reconcile sweep, unless it is already queued. It settles each live "
        "label attempt USPS did not answer (older than LABEL_ATTEMPT_SETTLE_SECONDS) by asking "
        "USPS again with the same purchase key, which never buys twice. Each sweep queues the "
        "next LABEL_RECONCILE_INTERVAL_SECONDS later, so this is needed once per database."
    )

    def handle(self, *args, **options):
        if schedule_label_reconcile():
            self.stdout.write(
                "Queued the label reconcile sweep "
                f"(every {settings.LABEL_RECONCILE_INTERVAL_SECONDS} s); manage.py db_worker "
                "runs it."
            )
        else:
            self.stdout.write("The label reconcile sweep is already queued. Nothing to do.")
