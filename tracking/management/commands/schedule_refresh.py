"""Queue the periodic refresh: the task chain the worker (manage.py db_worker) keeps running."""

from django.conf import settings
from django.core.management.base import BaseCommand

from tracking.tasks import schedule_refresh


class Command(BaseCommand):
    help = (
        "Queue the periodic refresh of due shipments, unless it is already queued. Each cycle "
        "queues the next one REFRESH_INTERVAL_SECONDS later, so this is needed once per "
        "database (running it again changes nothing). The cycles run in manage.py db_worker."
    )

    def handle(self, *args, **options):
        if schedule_refresh():
            self.stdout.write(
                f"Queued the periodic refresh (every {settings.REFRESH_INTERVAL_SECONDS} s); "
                "manage.py db_worker runs it."
            )
        else:
            self.stdout.write("The periodic refresh is already queued. Nothing to do.")
