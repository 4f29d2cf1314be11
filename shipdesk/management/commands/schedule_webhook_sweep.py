"""Queue the periodic webhook sweep: a task chain the worker (manage.py db_worker) runs."""

from django.conf import settings
from django.core.management.base import BaseCommand

from shipdesk.webhooks.tasks import schedule_webhook_sweep


class Command(BaseCommand):
    help = (
        "Queue the periodic webhook sweep, unless it is already queued. It sends the webhook "
        "deliveries a worker lost (killed mid-request) or whose task never ran; each sweep "
        "queues the next WEBHOOKS_SWEEP_INTERVAL_SECONDS later, so this is needed once per "
        "database. The sweeps run in manage.py db_worker."
    )

    def handle(self, *args, **options):
        if schedule_webhook_sweep():
            self.stdout.write(
                "Queued the webhook sweep (every "
                f"{settings.WEBHOOKS_SWEEP_INTERVAL_SECONDS} s); manage.py db_worker runs it."
            )
        else:
            self.stdout.write("The webhook sweep is already queued. Nothing to do.")
