"""Write a print batch's print-ready PDF with a progress bar: `manage.py print_batch_pdf 12`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from mailorders.batch_pdf import batch_pdf_write
from mailorders.models import PrintBatch
from mailorders.print_models import PieceState
from mailorders.services.print_queue import print_batch_pdf_render


class Command(BaseCommand):
    help = (
        "Make a print batch's PDF (cover sheet, then every piece to print in presort order), "
        "page by page with a progress bar. Without --output it is stored on the batch, as the "
        "print queue's Make the PDF button does; with --output it is written to that file."
    )

    def add_arguments(self, parser):
        parser.add_argument("batch", type=int, help="The batch's number.")
        parser.add_argument("--output", help="Write the PDF to this file instead.")
        parser.add_argument(
            "--marks", action="store_true", help="Crop and registration marks in a bleed."
        )

    def handle(self, *args, batch: int, output: str | None = None, marks: bool = False, **opts):
        found = PrintBatch.objects.filter(pk=batch).first()
        if found is None:
            raise CommandError(f"There is no batch {batch}.")
        total = found.pieces.filter(state__in=[PieceState.QUEUED, PieceState.PRINTED]).count()
        if not total:
            raise CommandError(f"{found} has no piece to print.")
        with tqdm(total=total, unit="piece", file=self.stderr, disable=None) as bar:

            def step(done: int, _total: int) -> None:
                bar.update(done - bar.n)

            if output:
                try:
                    with Path(output).open("wb") as out:
                        pages = batch_pdf_write(found, out, marks=marks, progress=step)
                except OSError as exc:
                    raise CommandError(f"Cannot write {output}: {exc}") from exc
                where = output
            else:
                found = print_batch_pdf_render(batch=found, marks=marks, progress=step)
                pages, where = found.pdf_pages_done + 1, found.pdf.name
        self.stdout.write(f"{found}: {pages} pages ({total} pieces and the cover) in {where}")
