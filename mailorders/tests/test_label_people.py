"""Labels for people: the label on its shipment's page and its PDF, the agents' search by label
id, and the managers' confirmed cancel and manifest actions in admin."""

from __future__ import annotations

import io

import pytest
from django.contrib.admin import helpers
from django.db import connection
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from mailorders.choices import LabelStatus
from mailorders.models import Label, Manifest, ShipperAccount
from mailorders.services.labels import label_cancel, label_create
from mailorders.services.manifests import manifest_create
from mailorders.tests.label_bodies import label_body
from shipdesk.audit import audit_for
from shipdesk.models import AuditEvent
from tracking.models import Shipment
from tracking.services.shipments import shipment_create
from tracking.tests.workspace.support import text

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/mailorders/label/"
SEARCH = reverse("shipment-search")
PLAIN_NUMBER = "9400100000000000000006"  # a valid IMpb no label made
# On PostgreSQL the search chooses its page branch by branch first (tracking.selectors).
BRANCHES = 1 if connection.vendor == "postgresql" else 0


@pytest.fixture
def make_label(partner, account):
    def make(owner=None, shipper=None, **overrides) -> Label:
        return label_create(
            partner=owner or partner, data=label_body((shipper or account).pk, **overrides)
        )

    return make


@pytest.fixture
def label(make_label):
    return make_label(paper_size="4x8", references=["order-1001", "PO-77"])


def page_url(label: Label) -> str:
    return reverse("shipment-detail", args=[label.shipment.public_id])


def pdf_url(label: Label, shipment: Shipment | None = None) -> str:
    public_id = (shipment or label.shipment).public_id
    return reverse("shipment-label-pdf", args=[public_id, label.pk])


def pdf_text(content: bytes) -> str:
    """The PDF's text, its spaces removed (the number is printed in groups of four)."""
    return "".join(PdfReader(io.BytesIO(content)).pages[0].extract_text().split())


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# The shipment page


def test_the_shipment_page_shows_the_label_that_created_it(agent_client, label):
    response = agent_client.get(page_url(label))

    assert response.status_code == 200
    page = text(response)
    assert (
        f"Label Label id {label.pk} Status Created Service Priority Mail Express "
        f"Paper size 4 by 8 inches Ship date {label.ship_date:%a, %b} {label.ship_date.day}, "
        f"{label.ship_date.year} References order-1001, PO-77 Manifest not manifested "
        "Download the label (PDF)"
    ) in page
    assert pdf_url(label) in response.content.decode()


def test_the_label_section_names_its_manifest_and_status(agent_client, label, partner, account):
    manifest = manifest_create(partner=partner, shipper_account_id=account.pk)

    page = text(agent_client.get(page_url(label)))

    assert "Status Manifested" in page and f"Manifest {manifest.pk}" in page


def test_a_shipment_not_made_by_a_label_has_no_label_section(agent_client, partner):
    shipment = shipment_create(partner=partner, tracking_number=PLAIN_NUMBER)

    page = text(agent_client.get(reverse("shipment-detail", args=[shipment.public_id])))

    assert "Label id" not in page and "Download the label" not in page


@pytest.mark.parametrize("from_label", [True, False])
def test_the_page_takes_the_same_queries_with_or_without_a_label(
    agent_client, label, partner, from_label, django_assert_num_queries
):
    shipment = (
        label.shipment
        if from_label
        else shipment_create(partner=partner, tracking_number=PLAIN_NUMBER)
    )
    agent_client.get(reverse("shipment-detail", args=[shipment.public_id]))  # session warm
    # session, user, groups, shipment + partner, checkpoints, subscribers, labels, audit
    # records, proof-of-delivery requests
    with django_assert_num_queries(9):
        response = agent_client.get(reverse("shipment-detail", args=[shipment.public_id]))
    assert ("Label id" in text(response)) is from_label


def test_the_label_pdf_downloads_named_after_its_tracking_number(agent_client, agent_user, label):
    response = agent_client.get(pdf_url(label))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{label.tracking_number}.pdf"'
    )
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    assert label.tracking_number in pdf_text(content)
    # The download is on the label's and its shipment's audit trail.
    (event,) = audit_for(label.shipment).filter(action="label.download")
    assert event.user == agent_user and label.tracking_number in event.summary
    assert audit_for(label).filter(pk=event.pk).exists()


def test_the_label_pdf_is_for_agents_only(client, label, django_user_model):
    anonymous = client.get(pdf_url(label))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")

    nobody = django_user_model.objects.create_user("no.role", password="x-long-password-9")
    client.force_login(nobody)
    assert client.get(pdf_url(label)).status_code == 403


def test_a_label_of_another_shipment_is_not_found(agent_client, label, make_label):
    other = make_label()

    assert agent_client.get(pdf_url(label, shipment=other.shipment)).status_code == 404
    assert agent_client.get(pdf_url(other, shipment=label.shipment)).status_code == 404
    unknown = reverse("shipment-label-pdf", args=[label.shipment.public_id, "label_" + "x" * 22])
    assert agent_client.get(unknown).status_code == 404
    assert agent_client.post(pdf_url(label)).status_code == 405


def test_a_label_without_its_pdf_is_not_found(agent_client, label):
    label.label_file.storage.delete(label.label_file.name)
    assert agent_client.get(pdf_url(label)).status_code == 404  # gone from storage

    Label.objects.filter(pk=label.pk).update(label_file="")
    assert agent_client.get(pdf_url(label)).status_code == 404
    assert not audit_for(label).filter(action="label.download").exists()
    page = text(agent_client.get(page_url(label)))
    assert "This label has no PDF." in page and "Download the label" not in page


# The agents' search


def found(response) -> list[str]:
    return [row.tracking_number for row in response.context["page"].rows]


def test_an_agent_finds_a_shipment_by_its_label_id(
    agent_client, label, make_label, partner, django_assert_num_queries
):
    make_label()
    shipment_create(partner=partner, tracking_number=PLAIN_NUMBER)
    agent_client.get(SEARCH)  # session warm

    # session, user, groups, partners (filter), page; no count (one page), no checkpoint yet
    with django_assert_num_queries(5):
        response = agent_client.get(SEARCH, {"q": f"  {label.pk} "})

    assert found(response) == [label.tracking_number]
    assert 'class="badge source-label"' in response.content.decode()


def test_the_ordinary_search_does_not_look_at_labels(
    agent_client, label, django_assert_num_queries
):
    agent_client.get(SEARCH)  # session warm
    with django_assert_num_queries(5 + BRANCHES) as queries:
        response = agent_client.get(SEARCH, {"q": "Ada"})

    assert found(response) == [label.tracking_number]
    assert not any("mailorders_label" in q["sql"] for q in queries.captured_queries)


def test_a_label_id_that_matches_nothing_finds_nothing(agent_client, label):
    assert found(agent_client.get(SEARCH, {"q": "label_" + "Z" * 22})) == []
    assert found(agent_client.get(SEARCH, {"q": label.pk[:-1]})) == []  # ids match whole


def test_results_mark_shipments_made_by_labels(agent_client, label, partner):
    plain = shipment_create(partner=partner, tracking_number=PLAIN_NUMBER)

    response = agent_client.get(SEARCH)

    rows = {row.tracking_number: row for row in response.context["page"].rows}
    assert rows[label.tracking_number].from_label and not rows[plain.tracking_number].from_label
    assert response.content.decode().count('class="badge source-label"') == 1


# Admin: cancel


def select(labels, action: str, **extra) -> dict:
    return {helpers.ACTION_CHECKBOX_NAME: [label.pk for label in labels], "action": action, **extra}


def test_a_manager_cancels_labels_after_confirming(manager_client, manager_user, make_label):
    created, other, done = make_label(), make_label(), make_label()
    label_cancel(label=done)
    chosen = select([created, other, done], "cancel_labels")

    confirm = manager_client.post(CHANGELIST, chosen)

    assert confirm.status_code == 200
    page = text(confirm)
    assert "Cancel 2 labels; 1 will be refused." in page
    assert f"Refused {done.pk} — {done.tracking_number}: The label is cancelled." in page
    assert created.pk in page and other.pk in page
    assert Label.objects.filter(status=LabelStatus.CANCELLED).count() == 1  # nothing yet
    assert not AuditEvent.objects.filter(action="label.cancel", user=manager_user).exists()

    response = manager_client.post(CHANGELIST, {**chosen, "apply": "yes"}, follow=True)

    message = messages_of(response)
    assert "Cancelled 2 labels. Refused 1: " in message
    assert f"{done.pk}: The label is cancelled." in message
    assert set(Label.objects.filter(status=LabelStatus.CANCELLED).values_list("pk", flat=True)) == {
        created.pk,
        other.pk,
        done.pk,
    }
    for label in (created, other):
        assert not Shipment.objects.get(pk=label.shipment_id).active
    events = AuditEvent.objects.filter(action="label.cancel", user=manager_user)
    assert events.count() == 2 and all(e.actor_kind == "user" for e in events)


def test_a_label_changed_since_the_confirmation_is_refused(
    manager_client, make_label, partner, account
):
    label = make_label()
    chosen = select([label], "cancel_labels")
    assert "Cancel 1 label." in text(manager_client.post(CHANGELIST, chosen))
    manifest_create(partner=partner, shipper_account_id=account.pk)

    response = manager_client.post(CHANGELIST, {**chosen, "apply": "yes"}, follow=True)

    assert "Cancelled 0 labels. Refused 1: " in messages_of(response)
    assert f"{label.pk}: The label is manifested." in messages_of(response)
    assert Label.objects.get().status == LabelStatus.MANIFESTED


# Admin: manifest


def test_a_manager_manifests_labels_one_manifest_per_partner_and_account(
    manager_client, manager_user, make_label, partner, other_partner, account
):
    second = ShipperAccount.objects.create(
        partner=partner, description="USPS Backup", mailer_id="900000002"
    )
    theirs = ShipperAccount.objects.create(partner=other_partner, description="Globex USPS")
    a1, a2 = make_label(), make_label()
    b1 = make_label(shipper=second)
    c1 = make_label(owner=other_partner, shipper=theirs)
    cancelled = make_label()
    label_cancel(label=cancelled)
    unselected = make_label()
    chosen = select([a1, a2, b1, c1, cancelled], "manifest_labels")

    confirm = manager_client.post(CHANGELIST, chosen)

    page = text(confirm)
    assert "Manifest 4 labels on 3 manifests; 1 will be refused." in page
    assert "Acme Parcels, account USPS Sandbox (2 labels)" in page
    assert "Acme Parcels, account USPS Backup (1 label)" in page
    assert "Globex Mail, account Globex USPS (1 label)" in page
    assert f"{cancelled.pk} — {cancelled.tracking_number}: The label is cancelled." in page
    assert not Manifest.objects.exists()

    response = manager_client.post(CHANGELIST, {**chosen, "apply": "yes"}, follow=True)

    message = messages_of(response)
    assert "Manifested 4 labels on 3 manifests (" in message
    assert f"Refused 1: {cancelled.pk}: The label is cancelled." in message
    manifests = {(m.partner_id, m.shipper_account_id): m for m in Manifest.objects.all()}
    assert set(manifests) == {
        (partner.pk, account.pk),
        (partner.pk, second.pk),
        (other_partner.pk, theirs.pk),
    }
    for label, key in (
        (a1, (partner.pk, account.pk)),
        (a2, (partner.pk, account.pk)),
        (b1, (partner.pk, second.pk)),
        (c1, (other_partner.pk, theirs.pk)),
    ):
        label.refresh_from_db()
        assert label.status == LabelStatus.MANIFESTED and label.manifest == manifests[key]
        assert label.manifest_id in message
    unselected.refresh_from_db()
    assert unselected.status == LabelStatus.CREATED and unselected.manifest is None
    events = AuditEvent.objects.filter(action="manifest.create", user=manager_user)
    assert events.count() == 3


def test_manifesting_nothing_manifestable_is_refused(manager_client, make_label):
    label = make_label()
    label_cancel(label=label)
    chosen = select([label], "manifest_labels")

    confirm = text(manager_client.post(CHANGELIST, chosen))
    assert "Manifest 0 labels; 1 will be refused." in confirm
    assert "No selected label can be manifested." in confirm

    response = manager_client.post(CHANGELIST, {**chosen, "apply": "yes"}, follow=True)
    assert "Manifested 0 labels. Refused 1: " in messages_of(response)
    assert not Manifest.objects.exists()


# Admin: who may, and the label's page


def test_staff_outside_managers_neither_see_nor_run_the_actions(
    client, make_label, django_user_model
):
    from django.contrib.auth.models import Permission

    label = make_label()
    staff = django_user_model.objects.create_user(
        "sam", password="x-long-password-9", is_staff=True
    )
    staff.user_permissions.add(Permission.objects.get(codename="view_label"))
    client.force_login(staff)
    page = client.get(CHANGELIST).content.decode()
    assert label.pk in page
    assert "Cancel selected labels" not in page and "Manifest selected labels" not in page

    for action in ("cancel_labels", "manifest_labels"):
        client.post(CHANGELIST, select([label], action, apply="yes"))
    assert Label.objects.get().status == LabelStatus.CREATED
    assert not Manifest.objects.exists()


def test_agents_cannot_reach_the_label_admin(agent_client, make_label):
    label = make_label()
    for action in ("cancel_labels", "manifest_labels"):
        response = agent_client.post(CHANGELIST, select([label], action, apply="yes"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert agent_client.get(f"{CHANGELIST}{label.pk}/label.pdf").status_code == 302
    assert Label.objects.get().status == LabelStatus.CREATED


def test_the_manifest_admin_page_serves_its_pdf_and_lists_its_labels(
    manager_client, agent_user, partner, label
):
    manifest = manifest_create(partner=partner, shipper_account_id=label.shipper_account_id)
    page = manager_client.get(f"/admin/mailorders/manifest/{manifest.pk}/change/")
    page = page.content.decode()

    pdf = reverse("admin:mailorders_manifest_pdf", args=[manifest.pk])
    assert f'href="{pdf}"' in page and manifest.file.name not in page
    assert f"?manifest__id__exact={manifest.pk}" in page and "1 label<" in page
    response = manager_client.get(pdf)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert label.tracking_number in pdf_text(b"".join(response.streaming_content))
    listed = manager_client.get(f"{CHANGELIST}?manifest__id__exact={manifest.pk}")
    assert listed.status_code == 200 and label.pk in listed.content.decode()

    manifest.file.storage.delete(manifest.file.name)
    assert manager_client.get(pdf).status_code == 404
    agent = Client()
    agent.force_login(agent_user)
    assert agent.get(pdf).status_code == 302  # to the admin log-in


def test_the_label_admin_page_links_its_pdf_and_shipment(manager_client, label):
    page = manager_client.get(f"{CHANGELIST}{label.pk}/change/").content.decode()

    pdf = reverse("admin:mailorders_label_pdf", args=[label.pk])
    assert f'href="{pdf}"' in page and f"{label.tracking_number}.pdf" in page
    assert f'href="{page_url(label)}"' in page
    assert label.label_file.name not in page  # the stored file's URL is not served
    response = manager_client.get(pdf)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert label.tracking_number in pdf_text(b"".join(response.streaming_content))


def test_the_changelist_offers_the_actions_to_managers(
    manager_client, make_label, django_assert_max_num_queries
):
    for _ in range(5):
        make_label()
    with django_assert_max_num_queries(12):
        page = manager_client.get(CHANGELIST).content.decode()
    assert "Cancel selected labels…" in page and "Manifest selected labels…" in page


def test_a_group_past_the_manifest_limit_makes_more_manifests(
    manager_client, make_label, monkeypatch
):
    monkeypatch.setattr("mailorders.services.manifests.MANIFEST_MAX_LABELS", 2)
    labels = [make_label() for _ in range(5)]
    chosen = select(labels, "manifest_labels")

    assert "Manifest 5 labels on 3 manifests." in text(manager_client.post(CHANGELIST, chosen))
    response = manager_client.post(CHANGELIST, {**chosen, "apply": "yes"}, follow=True)

    assert "Manifested 5 labels on 3 manifests (" in messages_of(response)
    assert sorted(m.labels.count() for m in Manifest.objects.all()) == [1, 2, 2]


def test_managers_find_a_label_by_its_tracking_number(manager_client, make_label):
    label, other = make_label(), make_label()

    page = manager_client.get(CHANGELIST, {"q": label.tracking_number}).content.decode()

    assert label.pk in page and other.pk not in page
