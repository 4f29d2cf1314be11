"""Retries of one live label sent at the same moment (same account, same order number) buy one
label at USPS: real threads, each with its own database connection and transaction, against
the fake USPS server over HTTP."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from mailorders.choices import LabelStatus
from mailorders.models import Label
from mailorders.services.labels import label_create
from mailorders.tests.test_label_usps import body
from tracking.models import Shipment

THREADS = 4


@pytest.mark.django_db(transaction=True)
def test_simultaneous_retries_buy_one_label(partner, live, fake):
    barrier = threading.Barrier(THREADS)
    answers: list = [None] * THREADS

    def send(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            label = label_create(partner=partner, data=body(live, order_number="RACE-1"))
            answers[index] = (label.pk, label.status, label.tracking_number)
        except Exception as exc:  # reported below, with the others' answers
            answers[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(isinstance(a, tuple) for a in answers), answers
    assert len({pk for pk, _, _ in answers}) == 1
    assert {status for _, status, _ in answers} == {LabelStatus.CREATED}
    assert fake.purchases == 1 and len(fake.labels) == 1
    [number] = fake.labels
    assert {number_ for _, _, number_ in answers} == {number}
    assert Label.objects.count() == 1
    assert Shipment.objects.filter(tracking_number=number).count() == 1
