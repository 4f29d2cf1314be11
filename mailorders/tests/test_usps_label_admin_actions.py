"""Labels bought from USPS, cancelled and manifested through admin's actions against the fake
USPS server (over HTTP): USPS's refusals are said in the action's message and change nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from mailorders.choices import LabelStatus
from mailorders.models import Label, Manifest, ShipperAccount
from mailorders.services.labels import label_create
from mailorders.tests.label_bodies import label_body

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake")]

LABELS = "/admin/mailorders/label/"


@pytest.fixture
def labels(partner):
    live = ShipperAccount.objects.create(
        partner=partner,
        description="USPS Ship",
        sandbox=False,
        mailer_id="904128936",
        crid="56982563",
        manifest_mid="904128937",
        eps_account="1000000001",
    )
    body = label_body(live.pk, service_type="usps-discounted_priority_mail")
    return [label_create(partner=partner, data=dict(body)) for _ in range(2)]


def act(manager_client, action: str, labels) -> str:
    response = manager_client.post(
        LABELS,
        {"action": action, "_selected_action": [label.pk for label in labels], "apply": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    [message] = [m.message for m in get_messages(response.wsgi_request)]
    return message


def test_cancel_in_admin_voids_the_labels_at_usps(manager_client, labels, fake):
    message = act(manager_client, "cancel_labels", labels)
    assert message == "Cancelled 2 labels."
    assert {fake.labels[label.tracking_number].status for label in labels} == {"CANCELED"}
    assert set(Label.objects.values_list("status", flat=True)) == {LabelStatus.CANCELLED}


def test_a_cancel_usps_did_not_answer_is_said_and_asked_again(manager_client, labels, fake):
    fake.fail_next("cancel", 1, status=503)
    message = act(manager_client, "cancel_labels", labels[:1])
    assert "Refused 1" in message and "USPS did not cancel the label" in message
    assert "try again" in message
    # Whether USPS cancelled is not known: the label waits, and the action asks again.
    assert Label.objects.get(pk=labels[0].pk).status == LabelStatus.CANCELLING
    assert act(manager_client, "cancel_labels", labels[:1]) == "Cancelled 1 label."
    assert Label.objects.get(pk=labels[0].pk).status == LabelStatus.CANCELLED
    assert fake.labels[labels[0].tracking_number].status == "CANCELED"


def test_a_cancel_usps_refuses_changes_nothing(manager_client, labels, fake):
    del fake.labels[labels[0].tracking_number]  # USPS no longer knows the label
    message = act(manager_client, "cancel_labels", labels[:1])
    assert "Refused 1" in message and "USPS: " in message and "Order not found" in message
    assert Label.objects.get(pk=labels[0].pk).status == LabelStatus.CREATED


def test_manifest_in_admin_is_usps_scan_form(manager_client, labels, fake):
    message = act(manager_client, "manifest_labels", labels)
    manifest = Manifest.objects.get()
    assert message == f"Manifested 2 labels on 1 manifest ({manifest.pk})."
    [tracking_numbers] = fake.scan_forms.values()
    assert sorted(tracking_numbers) == sorted(label.tracking_number for label in labels)


def test_manifest_usps_refuses_is_said_and_changes_nothing(manager_client, labels, fake):
    fake.fail_next("scan_forms", 1, status=503)
    message = act(manager_client, "manifest_labels", labels)
    assert "Refused 2" in message and "USPS did not make the SCAN form" in message
    assert not Manifest.objects.exists()
    assert set(Label.objects.values_list("status", flat=True)) == {LabelStatus.CREATED}
