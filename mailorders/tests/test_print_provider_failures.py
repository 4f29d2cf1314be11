"""Forwarding to an upstream print-mail provider that fails on demand (a fake PostGrid over
real HTTP, pytest-httpserver): retries with backoff, never a second order, clear errors."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from mailorders.models import Letter, PrintJob, PrintRoute
from mailorders.print_models import PrintJobState
from mailorders.services.print_provider import provider_forward_again, provider_forwards_due
from mailorders.tests.conftest import error, ok, url
from shipdesk.audit import Actor
from shipdesk.models import AuditEvent


def failures(order_id: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action="letter.forward_failed", summary__contains=order_id
        ).order_by("id")
    )


def due_in(job: PrintJob) -> float:
    return (job.next_attempt_at - timezone.now()).total_seconds()


def test_each_failure_is_retried_later_with_backoff_and_the_provider_gets_one_order(
    fake_provider, forwarded, time_machine
):
    fake_provider.plan("429", "500", "401", "timeout")
    job = forwarded()  # attempt 1: 429 with Retry-After: 2
    job.refresh_from_db()
    assert (job.state, job.attempts, job.external_id) == (PrintJobState.PENDING, 1, "")
    assert "rate limiting shipdesk (429)" in job.last_error
    assert 10 <= due_in(job) <= 11.5  # the first step of the backoff, longer than Retry-After
    assert provider_forwards_due() == 0  # not due yet: nothing is sent
    assert len(fake_provider.creates()) == 1

    steps = [
        ("failed (500)", 20),
        ("refused the API key (401): check PRINT_PROVIDER_FAKE_API_KEY", 40),
        ("did not answer within 0.3 s", 80),
    ]
    for attempt, (says, backoff) in enumerate(steps, start=2):
        time_machine.move_to(job.next_attempt_at + timedelta(seconds=1))
        assert provider_forwards_due() == 1
        job.refresh_from_db()
        assert job.state == PrintJobState.PENDING and job.attempts == attempt
        assert says in job.last_error, job.last_error
        assert backoff <= due_in(job) <= backoff * 1.1 + 1

    # The timed-out attempt made the order at the provider; its answer never came.
    order_id = job.order_id
    assert len(fake_provider.orders_for(order_id)) == 1
    time_machine.move_to(job.next_attempt_at + timedelta(seconds=1))
    assert provider_forwards_due() == 1
    job.refresh_from_db()
    [made] = fake_provider.orders_for(order_id)
    assert (job.state, job.external_id, job.external_status) == ("submitted", made["id"], "ready")
    assert job.attempts == 5 and job.last_error == "" and job.next_attempt_at is None
    # Every attempt carried the job's one key; the provider holds one order.
    assert {s.idempotency_key for s in fake_provider.creates()} == {str(job.idempotency_key)}
    assert len(fake_provider.creates()) == 5 and len(fake_provider.orders) == 1
    assert made["metadata"] == {"shipdeskOrderId": order_id}
    assert made["pdfBytes"] > 1000 and made["to"]["firstName"] == "Ada"
    assert made["from"]["companyName"] == "Acme Parcels"

    audited = failures(order_id)
    assert len(audited) == 4
    assert [e.detail["http_status"] for e in audited] == [429, 500, 401, None]
    assert AuditEvent.objects.filter(action="letter.forward", summary__contains=made["id"]).exists()
    assert Letter.objects.get(pk=order_id).status == "ready"


def test_a_refusal_fails_the_job_at_once_with_the_providers_words(fake_provider, forwarded):
    fake_provider.plan("400")
    job = forwarded()
    job.refresh_from_db()
    assert job.state == PrintJobState.FAILED and job.next_attempt_at is None
    assert "refused to create the order (400)" in job.last_error
    assert "to.addressLine1: this address cannot be mailed." in job.last_error
    assert provider_forwards_due() == 0
    assert fake_provider.orders == {} and len(failures(job.order_id)) == 1


def test_giving_up_after_the_last_attempt_and_a_managers_forward_again(
    fake_provider, forwarded, settings, time_machine, django_capture_on_commit_callbacks
):
    settings.PRINT_PROVIDER_MAX_ATTEMPTS = 2
    fake_provider.plan("503", "500")
    job = forwarded()
    time_machine.move_to(PrintJob.objects.get(pk=job.pk).next_attempt_at + timedelta(seconds=1))
    provider_forwards_due()
    job.refresh_from_db()
    assert job.state == PrintJobState.FAILED
    assert "failed (500)" in job.last_error and "gave up after attempt 2" in job.last_error

    with django_capture_on_commit_callbacks(execute=True):
        provider_forward_again(job=job, actor=Actor.system("manager"))
    job.refresh_from_db()
    assert job.state == PrintJobState.SUBMITTED and job.attempts == 1
    assert len(fake_provider.orders) == 1


def test_a_cheque_is_not_forwarded_and_says_why(
    fake_provider, partner, api, django_capture_on_commit_callbacks
):
    bank = ok(
        api.post(
            url("bank_accounts"),
            {
                "bankName": "First Bank",
                "accountNumber": "000123456789",
                "routingNumber": "021000021",
                "bankCountryCode": "US",
            },
        )
    )
    from mailorders.tests.conftest import FROM, TO

    with django_capture_on_commit_callbacks(execute=True):
        cheque = ok(
            api.post(
                url("cheques"),
                {"to": TO, "from": FROM, "bankAccount": bank["id"], "amount": 1000},
            )
        )
    job = PrintJob.objects.get(order_id=cheque["id"])
    assert job.state == PrintJobState.FAILED
    assert "cannot be forwarded" in job.last_error and "printed in house" in job.last_error
    assert fake_provider.seen == []


def test_cancelling_a_forwarded_order_cancels_it_at_the_provider(fake_provider, forwarded, api):
    job = forwarded()
    job.refresh_from_db()
    answer = ok(api.post(url("letters", job.order_id, "cancellation"), {"note": "Not needed"}))
    assert answer["status"] == "cancelled"
    assert fake_provider.orders[job.external_id]["status"] == "cancelled"
    job.refresh_from_db()
    assert job.state == PrintJobState.CANCELLED and job.external_status == "cancelled"


def test_a_provider_that_already_prints_refuses_the_cancel_and_nothing_changes(
    fake_provider, forwarded, api
):
    job = forwarded()
    job.refresh_from_db()
    fake_provider.progress(job.external_id, status="printing")
    err = error(api.delete(url("letters", job.order_id)), 400, field="status")
    assert "refused to cancel the order (400)" in err["message"]
    assert "Only a ready order can be cancelled." in err["message"]
    assert Letter.objects.get(pk=job.order_id).status == "ready"
    job.refresh_from_db()
    assert job.state == PrintJobState.SUBMITTED


def test_a_cancel_while_the_provider_is_down_is_refused_for_now(fake_provider, forwarded, api):
    job = forwarded()
    job.refresh_from_db()
    fake_provider.plan("500")
    err = error(api.delete(url("letters", job.order_id)), 503, field="status")
    assert "try again later" in err["message"]
    assert Letter.objects.get(pk=job.order_id).status == "ready"


def test_admin_shows_the_forward_and_a_manager_forwards_a_failed_one_again(
    fake_provider, forwarded, manager_client, django_capture_on_commit_callbacks
):
    fake_provider.plan("400")
    job = forwarded()
    page = f"/admin/mailorders/letter/{job.order_id}/change/"
    html = manager_client.get(page).content.decode()
    assert "Upstream print-mail provider" in html and "Refused by the print house" in html
    assert "to.addressLine1: this address cannot be mailed." in html

    with django_capture_on_commit_callbacks(execute=True):
        answer = manager_client.post(
            "/admin/mailorders/letter/",
            {"action": "forward_again", "_selected_action": [job.order_id]},
            follow=True,
        )
    assert "Forwarded 1 order again" in answer.content.decode()
    job.refresh_from_db()
    assert job.state == PrintJobState.SUBMITTED
    html = manager_client.get(page).content.decode()
    assert job.external_id in html and "Taken by the print house" in html
    assert ">ready<" in html  # the provider's status
    assert AuditEvent.objects.filter(action="letter.forward_again").count() == 1


def test_a_manager_routes_a_partners_certified_mail_to_a_configured_provider(
    fake_provider, manager_client, partner
):
    add = "/admin/mailorders/printroute/add/"
    body = {"partner": partner.pk, "mailing_class": "certified", "house": "provider"}
    refused = manager_client.post(add, {**body, "provider": "nobody"}).content.decode()
    assert "No print-mail provider `nobody` is configured (PRINT_PROVIDERS: fake)." in refused
    assert manager_client.post(add, {**body, "provider": "fake"}).status_code == 302
    route = PrintRoute.objects.get(partner=partner, mailing_class="certified")
    assert (route.house, route.provider) == ("provider", "fake")
    assert AuditEvent.objects.filter(action="print_route.create").count() == 1
