"""Retries sent at the same moment with one Idempotency-Key make one order (real threads, each
with its own database connection and transaction)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from mailorders.models import Contact, IdempotencyKey, Letter

from .conftest import url

THREADS = 4


@pytest.mark.django_db(transaction=True)
def test_simultaneous_retries_create_one_order(
    client_for, partner, letter_body, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.API_RATE_PER_SECOND = 10_000
    clients = [client_for(partner) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    answers: list = [None] * THREADS

    def send(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            response = clients[index].post(url("letters"), letter_body, HTTP_IDEMPOTENCY_KEY="same")
            answers[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(a is not None and a[0] == 200 for a in answers), answers
    assert len({body["id"] for _, body in answers}) == 1
    assert Letter.objects.count() == 1 and IdempotencyKey.objects.count() == 1
    assert Contact.objects.count() == 2
