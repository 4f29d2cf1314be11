"""The print room's pages through Django's client: who may see them, the queries they cost
(flat in the number of orders and pieces), confirmation before every bulk step, and bad input
answered with a message that changes nothing."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from mailorders.choices import OrderStatus
from mailorders.print_models import BatchStatus, PdfState, PieceState
from mailorders.services.print_queue import print_batch_pdf_render
from mailorders.tests.print_support import (
    batch_of,
    make_letter,
    order,
)

pytestmark = pytest.mark.django_db


def test_only_the_print_room_and_managers_see_the_queue(agent_user, manager_user, printer_user):
    queue = reverse("print-queue")
    assert Client().get(queue).status_code == 302  # to the log-in page
    as_user = {}
    for user in (agent_user, manager_user, printer_user):
        as_user[user] = Client()
        as_user[user].force_login(user)
    assert as_user[agent_user].get(queue).status_code == 403
    assert as_user[manager_user].get(queue).status_code == 200
    page = as_user[printer_user].get(queue)
    assert page.status_code == 200
    assert b"Nothing waits to be printed." in page.content
    assert b'href="/mail/print/"' in page.content  # the nav shows the print queue


@pytest.mark.parametrize("letters", [2, 12])
def test_the_queue_costs_the_same_queries_however_many_orders_wait(
    api, printer_client, django_assert_max_num_queries, letters
):
    for n in range(letters):
        make_letter(api, f"{10000 + n:05d}")
    make_letter(api, "60601", mailingClass="certified")
    batch_of(mailing_class="certified")
    with django_assert_max_num_queries(12):
        page = printer_client.get(reverse("print-queue"))
    assert page.status_code == 200
    text = page.content.decode()
    assert f"<td>{letters}</td>" in text and "10000 \u2013 " in text
    assert "Batch " in text


@pytest.mark.parametrize("letters", [3, 30])
def test_the_batch_page_costs_the_same_queries_however_many_pieces(
    api, printer_client, django_assert_max_num_queries, letters
):
    for n in range(letters):
        make_letter(api, f"{10000 + n:05d}")
    batch = batch_of()
    with django_assert_max_num_queries(14):
        page = printer_client.get(reverse("print-batch", args=[batch.pk]))
    assert page.status_code == 200
    assert page.content.decode().count('data-sequence="') == letters


def test_making_a_batch_asks_first(api, printer_client):
    make_letter(api, "10013")
    make_letter(api, "02114")
    queue = printer_client.get(reverse("print-queue")).content.decode()
    token = queue.split('name="key" value="', 1)[1].split('"', 1)[0]
    asked = printer_client.post(reverse("print-batch-create"), {"key": token})
    assert asked.status_code == 200 and b"Make a batch?" in asked.content
    assert b"2 waiting letters" in asked.content
    from mailorders.models import PrintBatch

    assert not PrintBatch.objects.exists()
    made = printer_client.post(reverse("print-batch-create"), {"key": token, "confirmed": "yes"})
    batch = PrintBatch.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("print-batch", args=[batch.pk])
    assert list(batch.pieces.values_list("zip_code", flat=True)) == ["02114", "10013"]
    assert batch.created_by == "printer"


def test_a_bad_batch_kind_changes_nothing(printer_client):
    for token in ["", "parcel|x|0|0|first_class|0", "letter|us_letter|2|0|first_class|0", "a|b"]:
        answer = printer_client.post(
            reverse("print-batch-create"), {"key": token, "confirmed": "yes"}
        )
        assert answer.status_code == 302
    page = printer_client.get(reverse("print-queue"))
    assert b"not one the queue knows" in page.content


def test_printed_and_mailed_through_the_pages(api, printer_client):
    letter = make_letter(api, "10013")
    batch = batch_of()
    printed = reverse("print-batch-printed", args=[batch.pk])
    asked = printer_client.post(printed)
    assert b"Mark Batch" in asked.content and order(letter).status == OrderStatus.READY
    printer_client.post(printed, {"confirmed": "yes"})
    assert order(letter).status == OrderStatus.PRINTING

    mailed = reverse("print-batch-mailed", args=[batch.pk])
    bad = printer_client.post(mailed, {"entry_date": "2026-13-40", "facility": ""}, follow=True)
    assert b"USPS entry date" in bad.content and b"Entry facility" in bad.content
    today = timezone.localdate().isoformat()
    fields = {"entry_date": today, "facility": "Boston MA P&DC", "zip_code": "02205"}
    asked = printer_client.post(mailed, fields)
    assert b"entered at Boston MA P&amp;DC" in asked.content
    assert order(letter).status == OrderStatus.PRINTING
    done = printer_client.post(mailed, {**fields, "confirmed": "yes"}, follow=True)
    assert b"is mailed" in done.content
    batch.refresh_from_db()
    assert batch.status == BatchStatus.MAILED and batch.entry_facility == "Boston MA P&DC"
    assert order(letter).status == OrderStatus.PROCESSED_FOR_DELIVERY


def test_a_failed_piece_and_its_reprint_pdf(api, printer_client):
    make_letter(api, "10013")
    batch = batch_of()
    failed = reverse("print-piece-failed", args=[batch.pk, 1])
    printer_client.post(failed, {"note": ""})
    assert batch.pieces.get().state == PieceState.QUEUED
    printer_client.post(failed, {"note": "Torn in the feeder"})
    assert batch.pieces.get().state == PieceState.FAILED
    pdf = printer_client.get(reverse("print-piece-pdf", args=[batch.pk, 1]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(pdf.streaming_content)))
    assert len(reader.pages) == 1 and "reprint 1" in reader.pages[0].extract_text()
    printer_client.post(reverse("print-piece-reprinted", args=[batch.pk, 1]))
    assert batch.pieces.get().reprints == 1
    assert printer_client.get(reverse("print-piece-pdf", args=[batch.pk, 9])).status_code == 404


def test_the_batch_pdf_progress_and_download(
    api, printer_client, django_capture_on_commit_callbacks
):
    make_letter(api, "10013")
    batch = batch_of()
    assert printer_client.get(reverse("print-batch-pdf", args=[batch.pk])).status_code == 404
    with django_capture_on_commit_callbacks() as queued:
        printer_client.post(reverse("print-batch-pdf-make", args=[batch.pk]))
    assert len(queued) == 1  # the task, queued at commit
    progress = printer_client.get(reverse("print-batch-progress", args=[batch.pk])).json()
    assert progress == {"state": "rendering", "done": 0, "total": 1, "percent": 0, "error": ""}
    print_batch_pdf_render(batch=batch)
    progress = printer_client.get(reverse("print-batch-progress", args=[batch.pk])).json()
    assert progress["state"] == PdfState.READY and progress["percent"] == 100
    pdf = printer_client.get(reverse("print-batch-pdf", args=[batch.pk]))
    assert len(PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages) == 2


def test_managers_find_the_batches_in_admin(api, manager_client):
    make_letter(api, "10013")
    batch = batch_of()
    page = manager_client.get(reverse("admin:mailorders_printbatch_changelist"))
    assert page.status_code == 200
    assert reverse("print-batch", args=[batch.pk]).encode() in page.content
    assert manager_client.get(reverse("admin:mailorders_printbatch_add")).status_code == 403
