"""Asking USPS for its proof of delivery (seed 000): the mapper's body, and the whole path from
the service through the queued task to a real HTTP server on 127.0.0.1 (conftest's fakes)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shipdesk.audit import Actor, audit_for
from tracking.carriers.base import PodRecipient, ProofRequest
from tracking.carriers.sandbox.carrier import SandboxCarrier
from tracking.carriers.usps import pod_mapper
from tracking.carriers.usps.carrier import UspsCarrier
from tracking.models import CarrierBudget, CourierConnection, PodRequest
from tracking.services.courier_connections import connection_create
from tracking.services.pod import (
    MAX_ATTEMPTS,
    PodRequestError,
    pod_request_process,
    pod_request_usps,
)
from tracking.tasks import pod_request_process as pod_task

pytestmark = pytest.mark.django_db

ANN = {"email": "ann.lee@example.com", "first_name": "Ann", "last_name": "Lee"}
BO = {"email": "bo.diaz@example.org", "first_name": "Bo", "last_name": "Diaz"}


# --- the pure mapper -------------------------------------------------------------------------


def proof(**fields):
    values = {
        "tracking_number": "9205590175547700000015",
        "unique_tracking_id": "UTID-1",
        "recipients": (PodRecipient("ann.lee@example.com", "Ann", "Lee"),),
    }
    return ProofRequest(**(values | fields))


def test_the_request_body_follows_seed_000():
    body = pod_mapper.build_pod_request(proof(mailing_date=date(2026, 11, 20), crid="1234567890"))
    assert body == {
        "uniqueTrackingID": "UTID-1",
        "letterType": "PROOF_OF_DELIVERY",
        "recipients": [{"email": "ann.lee@example.com", "firstName": "Ann", "lastName": "Lee"}],
        "mailingDate": "2026-11-20",
        "CRID": "1234567890",
    }
    rre = pod_mapper.build_pod_request(proof(return_receipt=True))
    assert rre["letterType"] == "RETURN_RECEIPT_ELECTRONIC"
    assert "mailingDate" not in rre and "CRID" not in rre


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"unique_tracking_id": ""}, "uniqueTrackingID"),
        ({"recipients": ()}, "1 to 3 recipients"),
        ({"recipients": (PodRecipient("a@example.com", "A", "B"),) * 4}, "1 to 3 recipients"),
    ],
)
def test_the_mapper_refuses_a_body_usps_would_refuse(fields, problem):
    with pytest.raises(ValueError, match=problem):
        pod_mapper.build_pod_request(proof(**fields))


def test_usps_answers_are_read_with_their_own_words():
    assert pod_mapper.parse_pod_response(202, None).accepted
    refused = pod_mapper.parse_pod_response(
        400,
        {
            "apiVersion": "v3r2",
            "error": {
                "code": "400",
                "message": "Bad request",
                "errors": [{"title": "Not eligible", "detail": "No signature service."}],
            },
        },
    )
    assert not refused.accepted
    assert (
        refused.message == "USPS refused the request (HTTP 400): Bad request; No signature service."
    )


# --- the service and the task against the local USPS ---------------------------------------


@pytest.fixture
def ask(delivered, agent_user, django_capture_on_commit_callbacks):
    """`ask(recipients, letter_type)`: an agent's request for a delivered shipment, queued."""

    def make(recipients=(ANN,), letter_type="pod", **shipment):
        target = delivered(**shipment)
        with django_capture_on_commit_callbacks(execute=True):
            request = pod_request_usps(
                shipment=target,
                letter_type=letter_type,
                recipients=list(recipients),
                actor=Actor.for_user(agent_user),
            )
        return request

    return make


def queued_for(request: PodRequest):
    return DBTaskResult.objects.filter(
        task_path=pod_task.module_path, args_kwargs__args=[request.pk]
    )


def test_usps_accepts_with_202_and_the_request_is_recorded_and_audited(
    ask, usps_pod, make_client, agent_user
):
    request = ask([ANN, BO])
    shipment = request.shipment
    assert request.status == PodRequest.Status.PENDING
    assert queued_for(request).count() == 1

    done = pod_request_process(pod_request_id=request.pk, carrier=UspsCarrier(make_client()))

    assert done.status == PodRequest.Status.ACCEPTED
    assert done.message == "Your proof of delivery request has been received."
    assert done.simulated is False and done.attempts == 1 and done.answered_at
    assert done.requested_by == agent_user and done.requested_by_label == "ada.agent"
    (seen,) = usps_pod.seen
    assert seen["number"] == shipment.tracking_number
    assert seen["authorization"].startswith("Bearer tok-")
    assert seen["body"] == {
        "uniqueTrackingID": shipment.unique_tracking_id,
        "letterType": "PROOF_OF_DELIVERY",
        "recipients": [
            {"email": "ann.lee@example.com", "firstName": "Ann", "lastName": "Lee"},
            {"email": "bo.diaz@example.org", "firstName": "Bo", "lastName": "Diaz"},
        ],
    }
    actions = [(e.action, e.actor_label) for e in audit_for(shipment)]
    assert ("pod.usps_request", "ada.agent") in actions
    assert ("pod.usps_accepted", "system") in actions
    # Processing again (a task run twice) sends nothing more.
    pod_request_process(pod_request_id=request.pk, carrier=UspsCarrier(make_client()))
    assert len(usps_pod.seen) == 1


def test_the_mailing_date_crid_and_return_receipt_reach_usps(ask, usps_pod, make_client, settings):
    settings.USPS_CRID = "1234567890"
    request = ask(
        letter_type="rre", eligibility={"proofOfDeliveryEnabled": True, "RREEnabled": True}
    )
    request.shipment.mailing_date = date(2026, 11, 20)
    request.shipment.save(update_fields=["mailing_date"])

    pod_request_process(pod_request_id=request.pk, carrier=UspsCarrier(make_client()))

    body = usps_pod.seen[0]["body"]
    assert body["letterType"] == "RETURN_RECEIPT_ELECTRONIC"
    assert body["mailingDate"] == "2026-11-20"
    assert body["CRID"] == "1234567890"
    assert usps_pod.seen[0]["number"] == request.shipment.tracking_number


def test_a_4xx_is_recorded_as_failed_with_usps_message(ask, usps_pod, make_client):
    request = ask()
    usps_pod.next(
        status=400,
        json_body={
            "apiVersion": "v3r2",
            "error": {
                "code": "400",
                "message": "Proof of delivery is not available for this item.",
                "errors": [{"title": "Bad request", "detail": "No signature on file."}],
            },
        },
    )

    done = pod_request_process(pod_request_id=request.pk, carrier=UspsCarrier(make_client()))

    assert done.status == PodRequest.Status.FAILED
    assert done.message == (
        "USPS refused the request (HTTP 400): Proof of delivery is not available for this "
        "item.; No signature on file."
    )
    assert len(usps_pod.seen) == 1  # a refusal is not retried
    assert audit_for(done.shipment).filter(action="pod.usps_failed").count() == 1


def test_a_429_waits_for_retry_after_then_succeeds(ask, usps_pod, make_client, sleeps):
    request = ask()
    usps_pod.next(status=429, headers={"Retry-After": "7"})

    done = pod_request_process(pod_request_id=request.pk, carrier=UspsCarrier(make_client()))

    assert done.status == PodRequest.Status.ACCEPTED
    assert sleeps == [7.0]
    assert len(usps_pod.seen) == 2


def test_a_long_retry_after_blocks_every_worker_and_the_request_waits(
    ask, usps_pod, make_client, django_capture_on_commit_callbacks
):
    request = ask()
    usps_pod.next(status=429, headers={"Retry-After": "1800"})
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        waiting = pod_request_process(pod_request_id=request.pk, carrier=UspsCarrier(make_client()))

    assert waiting.status == PodRequest.Status.PENDING
    assert waiting.attempts == 1
    assert "retry after 1800 s" in waiting.message
    blocked = CarrierBudget.objects.get(carrier="usps").blocked_until
    assert blocked >= before + timedelta(seconds=1790)
    # Queued again for later; nothing more is sent now (the budget is blocked for everyone).
    assert queued_for(request).count() == 2
    later = queued_for(request).order_by("-enqueued_at").first()
    assert later.run_after >= before + timedelta(seconds=1790)


def test_5xx_answers_are_retried_with_backoff_then_succeed(ask, usps_pod, make_client, sleeps):
    request = ask()
    usps_pod.next(status=503, times=2)

    done = pod_request_process(pod_request_id=request.pk, carrier=UspsCarrier(make_client()))

    assert done.status == PodRequest.Status.ACCEPTED
    assert len(usps_pod.seen) == 3
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] * 1.3  # exponential backoff


def test_an_outage_that_outlasts_every_attempt_fails_the_request(ask, usps_pod, make_client):
    request = ask()
    usps_pod.next(status=503, times=3 * MAX_ATTEMPTS)
    carrier = UspsCarrier(make_client())

    for attempt in range(1, MAX_ATTEMPTS + 1):
        result = pod_request_process(pod_request_id=request.pk, carrier=carrier)
        assert result.attempts == attempt
    assert result.status == PodRequest.Status.FAILED
    assert "after 3 attempts: HTTP 503" in result.message


def test_a_spent_hourly_budget_waits_without_calling_usps(
    ask, usps_pod, make_client, django_capture_on_commit_callbacks
):
    request = ask()

    # One request an hour: the token takes it, so the POD request must wait for the next slot.
    with django_capture_on_commit_callbacks(execute=True):
        waiting = pod_request_process(
            pod_request_id=request.pk, carrier=UspsCarrier(make_client(per_hour=1))
        )

    assert waiting.status == PodRequest.Status.PENDING
    assert "budget spent" in waiting.message
    assert usps_pod.seen == []
    assert queued_for(request).count() == 2
    later = queued_for(request).order_by("-enqueued_at").first()
    assert later.run_after > timezone.now() + timedelta(minutes=50)


def test_the_sandbox_answers_offline_and_says_it_is_simulated(ask):
    request = ask([ANN])

    done = pod_request_process(pod_request_id=request.pk, carrier=SandboxCarrier())

    assert done.status == PodRequest.Status.ACCEPTED
    assert done.simulated is True
    assert done.message.startswith("Simulated by the shipdesk sandbox carrier")
    assert "ann.lee@example.com" in done.message


# --- what the service refuses, changing nothing ----------------------------------------------


@pytest.mark.parametrize(
    ("recipients", "letter_type", "field"),
    [
        ([], "pod", "recipients"),
        (
            [ANN, BO, {**ANN, "email": "c@example.com"}, {**ANN, "email": "d@example.com"}],
            "pod",
            "recipients",
        ),
        ([{**ANN, "email": "not-an-address"}], "pod", "email_1"),
        ([ANN, {**BO, "last_name": ""}], "pod", "last_name_2"),
        ([ANN, {**BO, "email": "ANN.LEE@example.com"}], "pod", "email_2"),
        ([ANN], "rre", "letter_type"),  # USPS said RREEnabled false
        ([ANN], "certified", "letter_type"),
    ],
)
def test_bad_requests_name_the_field_and_change_nothing(
    delivered, agent_user, recipients, letter_type, field
):
    shipment = delivered()
    with pytest.raises(PodRequestError) as error:
        pod_request_usps(
            shipment=shipment,
            letter_type=letter_type,
            recipients=recipients,
            actor=Actor.for_user(agent_user),
        )
    assert error.value.field == field
    assert PodRequest.objects.count() == 0
    assert not audit_for(shipment).filter(action__startswith="pod.").exists()


def test_usps_is_not_asked_before_delivery(delivered, agent_user):
    shipment = delivered(history="out_for_delivery")
    with pytest.raises(PodRequestError, match="not delivered"):
        pod_request_usps(
            shipment=shipment, letter_type="pod", recipients=[ANN], actor=Actor.for_user(agent_user)
        )
    assert PodRequest.objects.count() == 0


def test_a_connected_partners_request_is_sent_with_its_own_usps_app(
    ask, usps_pod, fake_usps, settings
):
    settings.USPS_BASE_URL = fake_usps.base_url
    settings.USPS_MAX_RETRIES = 0
    fake_usps.apps["acme-own-app"] = "acme-own-secret"
    request = ask()
    connection = connection_create(
        connection=CourierConnection(partner=request.shipment.partner, courier_slug="usps"),
        credentials={"client_id": "acme-own-app", "client_secret": "acme-own-secret"},
        actor=Actor.system(),
    )

    done = pod_request_process(pod_request_id=request.pk)  # the carrier the partner's

    assert done.status == PodRequest.Status.ACCEPTED
    (seen,) = usps_pod.seen
    assert fake_usps.token_apps[seen["authorization"].removeprefix("Bearer ")] == "acme-own-app"
    connection.refresh_from_db()
    assert connection.last_success_at is not None
