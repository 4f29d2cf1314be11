"""Print-mail tasks: thin wrappers queued by the services at commit time."""

from __future__ import annotations

from django.tasks import task


@task()
def print_batch_pdf_task(batch_id: int) -> int:
    """Make a print batch's PDF (its progress is counted on the batch's row)."""
    from mailorders.models import PrintBatch
    from mailorders.services.print_queue import print_batch_pdf_render

    batch = PrintBatch.objects.get(pk=batch_id)
    return print_batch_pdf_render(batch=batch).pdf_pages_done
