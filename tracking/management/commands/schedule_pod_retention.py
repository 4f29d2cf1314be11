"""Queue the periodic purge of event detail past the POD retention window."""

from django.conf import settings
from django.core.management.base import BaseCommand

from tracking.tasks import schedule_pod_retention


class Command(BaseCommand):
    help = (
        "Queue the periodic retention purge unless it is already queued: every "
        "POD_RETENTION_INTERVAL_SECONDS it blanks the event detail of shipments last updated "
        "more than POD_RETENTION_DAYS ago (the proof chain's hashes stay). Runs in db_worker."
    )

    def handle(self, *args, **options):
        if schedule_pod_retention():
            self.stdout.write(
                f"Queued the retention purge (every {settings.POD_RETENTION_INTERVAL_SECONDS} s, "
                f"detail kept {settings.POD_RETENTION_DAYS} days); manage.py db_worker runs it."
            )
        else:
            self.stdout.write("The retention purge is already queued. Nothing to do.")
