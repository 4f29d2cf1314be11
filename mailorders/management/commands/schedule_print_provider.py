"""Queue the upstream print-mail providers' cycle (manage.py db_worker runs it)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from mailorders.tasks import schedule_print_provider_cycle


class Command(BaseCommand):
    help = (
        "Queue the print provider cycle, unless it is already queued. It sends again the "
        "forwards to an upstream print-mail provider whose retry time has come, and asks each "
        "provider about the forwarded orders it has not reported on for "
        "PRINT_PROVIDER_POLL_INTERVAL_SECONDS. Each cycle queues the next one "
        "PRINT_PROVIDER_CYCLE_SECONDS later, so this is needed once per database."
    )

    def handle(self, *args, **options):
        if schedule_print_provider_cycle():
            self.stdout.write(
                "Queued the print provider cycle "
                f"(every {settings.PRINT_PROVIDER_CYCLE_SECONDS} s); manage.py db_worker runs it."
            )
        else:
            self.stdout.write("The print provider cycle is already queued. Nothing to do.")
