"""The proof-of-delivery actions of the shipment page: download, e-mail, ask USPS."""

import io
import socket
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from shipdesk.audit import Actor, audit_for
from tracking.models import PodRequest
from tracking.pod.errors import PodOutsideRetention
from tracking.pod.letter import pod_letter
from tracking.services.pod import pod_letter_email, pod_request_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, agent_user):
    client.force_login(agent_user)
    return client


def page_url(shipment, name="shipment-detail"):
    return reverse(name, kwargs={"public_id": shipment.public_id})


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay")


def test_a_delivered_shipment_offers_its_proofs(agent, delivered, django_assert_max_num_queries):
    shipment = delivered()
    with django_assert_max_num_queries(14):
        page = agent.get(page_url(shipment))
    html = page.content.decode()
    assert page.status_code == 200
    assert page_url(shipment, "shipment-pod-pdf") in html
    assert "Download proof of delivery (PDF)" in html
    assert "E-mail the proof of delivery" in html
    assert "Ask USPS for its proof of delivery" in html
    assert "Download return receipt" not in html  # no RRE service


def test_the_requests_list_costs_one_query_however_many_there_are(agent, delivered, agent_user):
    shipment = delivered()
    agent.get(page_url(shipment))  # the session's first page reads a little more
    with CaptureQueriesContext(connection) as none_yet:
        agent.get(page_url(shipment))
    for n in range(7):
        PodRequest.objects.create(
            shipment=shipment,
            channel=PodRequest.Channel.LETTER,
            recipients=[{"email": f"r{n}@example.com", "first_name": "", "last_name": ""}],
            requested_by=agent_user,
            requested_by_label="ada.agent",
            status=PodRequest.Status.ACCEPTED,
            message=f"E-mailed to r{n}@example.com",
        )
    with CaptureQueriesContext(connection) as seven:
        html = agent.get(page_url(shipment)).content.decode()
    assert len(seven) == len(none_yet)
    assert html.count('class="pod-request ') == 5  # the newest five
    assert "r6@example.com" in html and "r1@example.com" not in html


def test_nothing_is_offered_before_delivery(agent, delivered):
    shipment = delivered(history="out_for_delivery")
    html = agent.get(page_url(shipment)).content.decode()
    assert "proof of delivery" not in html.lower()
    # Typing the address gets a message, not a letter.
    answer = agent.get(page_url(shipment, "shipment-pod-pdf"), follow=True)
    assert answer.redirect_chain[-1][0] == page_url(shipment)
    assert "No proof of delivery letter" in answer.content.decode()
    answer = agent.get(page_url(shipment, "shipment-pod-email"), follow=True)
    assert "Nothing to send" in answer.content.decode()


def test_the_letter_downloads_as_a_pdf_and_the_download_is_audited(agent, delivered):
    shipment = delivered()

    answer = agent.get(page_url(shipment, "shipment-pod-pdf"))

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == (
        f'attachment; filename="proof-of-delivery-{shipment.tracking_number}.pdf"'
    )
    reader = PdfReader(io.BytesIO(answer.content))
    assert shipment.tracking_number in reader.pages[0].extract_text()
    assert "pod.json" in reader.attachments
    (event,) = audit_for(shipment).filter(action="pod.letter_download")
    assert event.actor_label == "ada.agent"


@pytest.mark.parametrize("letter_type", ["rre", "x" * 300])
def test_a_letter_type_the_shipment_has_not_is_refused_with_a_message(
    agent, delivered, letter_type
):
    shipment = delivered()
    answer = agent.get(page_url(shipment, "shipment-pod-pdf"), {"type": letter_type}, follow=True)
    assert answer.status_code == 200
    assert "No proof of delivery letter" in answer.content.decode()


def test_only_agents_reach_the_actions(client, delivered, django_user_model):
    shipment = delivered()
    for name in ("shipment-pod-pdf", "shipment-pod-email", "shipment-pod-usps"):
        assert client.get(page_url(shipment, name)).status_code == 302  # to the login page
    client.force_login(django_user_model.objects.create_user("no.role", password="x-1234567"))
    for name in ("shipment-pod-pdf", "shipment-pod-email", "shipment-pod-usps"):
        assert client.get(page_url(shipment, name)).status_code == 403
    for name in ("shipment-pod-email", "shipment-pod-usps"):
        form = {"letter_type": "pod", "email_1": "a@example.com", "confirm": "yes"}
        assert client.post(page_url(shipment, name), form).status_code == 403
    assert PodRequest.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # the worker runs what the commit queued
def test_emailing_the_letter_is_confirmed_queued_and_sent_by_the_worker(
    agent, delivered, mailoutbox
):
    shipment = delivered()
    url = page_url(shipment, "shipment-pod-email")
    form = {"letter_type": "pod", "email_1": "claims@insurer.example", "email_2": "ann@example.com"}
    assert agent.get(url).status_code == 200

    review = agent.post(url, form)

    assert review.status_code == 200
    html = review.content.decode()
    assert "Yes, send" in html and "claims@insurer.example" in html
    assert PodRequest.objects.count() == 0  # nothing before the confirmation
    edit = agent.post(url, {**form, "edit": "yes"}).content.decode()
    assert "Review…" in edit and 'value="claims@insurer.example"' in edit

    sent = agent.post(url, {**form, "confirm": "yes"})
    assert sent.status_code == 302 and sent["Location"] == page_url(shipment)
    (request,) = PodRequest.objects.all()
    assert request.status == PodRequest.Status.PENDING
    assert request.channel == PodRequest.Channel.LETTER
    assert mailoutbox == []  # the worker sends it

    run_worker()

    request.refresh_from_db()
    assert request.status == PodRequest.Status.ACCEPTED
    assert sorted(m.to[0] for m in mailoutbox) == ["ann@example.com", "claims@insurer.example"]
    for message in mailoutbox:
        assert message.subject == f"Proof of Delivery for {shipment.tracking_number}"
        ((filename, content, mimetype),) = message.attachments
        assert filename == f"proof-of-delivery-{shipment.tracking_number}.pdf"
        assert mimetype == "application/pdf"
        assert shipment.tracking_number in PdfReader(io.BytesIO(content)).pages[0].extract_text()
    page = agent.get(page_url(shipment)).content.decode()
    assert "Accepted" in page and "ann@example.com" in page
    actions = set(audit_for(shipment).values_list("action", flat=True))
    assert {"pod.letter_request", "pod.letter_accepted"} <= actions


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"letter_type": "pod"}, "Give 1 to 3 recipients"),
        ({"letter_type": "pod", "email_1": "not an address"}, "enter a valid e-mail address"),
        ({"letter_type": "pod", "email_1": "a@example.com", "email_2": "A@example.com"}, "already"),
        ({"letter_type": "rre", "email_1": "a@example.com"}, "Select a valid choice"),
        ({"letter_type": "", "email_1": "a@example.com"}, "This field is required"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(agent, delivered, form, error):
    shipment = delivered()
    for confirm in ({}, {"confirm": "yes"}):
        answer = agent.post(page_url(shipment, "shipment-pod-email"), {**form, **confirm})
        assert answer.status_code == 400
        assert error in answer.content.decode()
    assert PodRequest.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_asking_usps_needs_names_then_the_sandbox_answers_simulated(agent, delivered):
    shipment = delivered()
    url = page_url(shipment, "shipment-pod-usps")
    form = {"letter_type": "pod", "email_1": "ann@example.com", "first_name_1": "Ann"}

    missing = agent.post(url, form)
    assert missing.status_code == 400
    assert "USPS needs a first and a last name" in missing.content.decode()

    form["last_name_1"] = "Lee"
    assert "Ann Lee &lt;ann@example.com&gt;" in agent.post(url, form).content.decode()
    agent.post(url, {**form, "confirm": "yes"})
    run_worker()  # no USPS credentials in tests: the sandbox carrier answers

    (request,) = PodRequest.objects.all()
    assert request.status == PodRequest.Status.ACCEPTED
    assert request.simulated is True
    assert request.recipients == [
        {"email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"}
    ]
    page = agent.get(page_url(shipment)).content.decode()
    assert "(simulated carrier)" in page


def test_a_mail_server_that_refuses_leaves_the_request_failed_with_its_reason(
    delivered, agent_user, settings
):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    shipment = delivered()
    request = pod_letter_email(
        shipment=shipment,
        letter_type="pod",
        emails=["ann@example.com"],
        actor=Actor.for_user(agent_user),
    )

    done = pod_request_process(pod_request_id=request.pk)

    assert done.status == PodRequest.Status.FAILED
    assert done.message.startswith("The mail server refused the letter:")
    assert audit_for(shipment).filter(action="pod.letter_failed").count() == 1


def test_past_retention_the_letter_is_refused_and_an_email_request_fails(delivered, agent_user):
    shipment = delivered()
    request = pod_letter_email(
        shipment=shipment,
        letter_type="pod",
        emails=["ann@example.com"],
        actor=Actor.for_user(agent_user),
    )
    later = timezone.now() + timedelta(days=settings.POD_RETENTION_DAYS + 1)

    with pytest.raises(PodOutsideRetention):
        pod_letter(shipment=shipment, now=later)
    done = pod_request_process(pod_request_id=request.pk, now=later)

    assert done.status == PodRequest.Status.FAILED
    assert f"kept {settings.POD_RETENTION_DAYS} days" in done.message
