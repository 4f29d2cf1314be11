"""Queue the hourly housekeeping: a task chain the worker (manage.py db_worker) runs."""

from django.conf import settings
from django.core.management.base import BaseCommand

from shipdesk.tasks import schedule_housekeeping


class Command(BaseCommand):
    help = (
        "Queue the housekeeping pass, unless it is already queued. It deletes webhook events "
        "older than WEBHOOKS_HISTORY_DAYS that have nothing left to send (with their deliveries "
        "and attempts) and finished task results older than TASK_RESULTS_DAYS. Each pass queues "
        "the next HOUSEKEEPING_INTERVAL_SECONDS later, so this is needed once per database."
    )

    def handle(self, *args, **options):
        if schedule_housekeeping():
            self.stdout.write(
                f"Queued the housekeeping (every {settings.HOUSEKEEPING_INTERVAL_SECONDS} s); "
                "manage.py db_worker runs it."
            )
        else:
            self.stdout.write("The housekeeping is already queued. Nothing to do.")
