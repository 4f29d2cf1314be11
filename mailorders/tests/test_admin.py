"""Mail orders in admin: a confirmed, audited cancel for Managers; records are read-only."""

from __future__ import annotations

from django.contrib.admin import helpers

from mailorders.models import Letter
from shipdesk.models import AuditEvent

from .conftest import ok, url

CHANGELIST = "/admin/mailorders/letter/"


def test_a_manager_cancels_ready_letters_after_confirming(api, create_letter, client, manager_user):
    ready, moving = create_letter(), create_letter()
    ok(api.post(url("letters", moving["id"], "progressions")))
    client.force_login(manager_user)
    selected = {helpers.ACTION_CHECKBOX_NAME: [ready["id"], moving["id"]], "action": "cancel"}

    confirm = client.post(CHANGELIST, selected)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Cancel <strong>2</strong>" in page and ready["id"] in page
    assert Letter.objects.filter(status="cancelled").count() == 0  # nothing before confirming

    done = client.post(
        CHANGELIST,
        {**selected, "apply": "yes", "reason": "invalid_content", "note": "Smudged logo"},
        follow=True,
    )
    message = " ".join(str(m) for m in done.context["messages"])
    assert (
        "Cancelled 1 order" in message
        and f"{moving['id']}: " in message
        and "is printing" in message
    )
    cancelled = Letter.objects.get(pk=ready["id"])
    assert (cancelled.status, cancelled.cancellation_reason) == ("cancelled", "invalid_content")
    assert cancelled.cancellation_note == "Smudged logo"
    assert cancelled.cancelled_by == manager_user.username
    event = AuditEvent.objects.get(action="letter.cancel")
    assert event.user == manager_user and event.actor_kind == "user"
    assert Letter.objects.get(pk=moving["id"]).status == "printing"


def test_the_list_and_detail_pages_search_and_show_the_pdf(
    create_letter, client, manager_user, django_assert_max_num_queries
):
    letters = [create_letter(description=f"batch {n}") for n in range(4)]
    client.force_login(manager_user)
    with django_assert_max_num_queries(12):
        page = client.get(CHANGELIST)
    assert page.status_code == 200 and all(
        letter["id"] in page.content.decode() for letter in letters
    )
    found = client.get(CHANGELIST, {"q": "batch 2"}).content.decode()
    assert letters[2]["id"] in found and letters[1]["id"] not in found
    detail = client.get(f"{CHANGELIST}{letters[0]['id']}/change/")
    assert detail.status_code == 200 and f"{letters[0]['id']}.pdf" in detail.content.decode()


def test_staff_outside_managers_cannot_cancel(create_letter, client, django_user_model):
    letter = create_letter()
    staff = django_user_model.objects.create_user(
        "sam", password="x-long-password", is_staff=True, is_superuser=False
    )
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_letter"))
    client.force_login(staff)
    page = client.get(CHANGELIST)
    assert page.status_code == 200 and "Cancel…" not in page.content.decode()
    client.post(
        CHANGELIST,
        {
            helpers.ACTION_CHECKBOX_NAME: [letter["id"]],
            "action": "cancel",
            "apply": "yes",
            "reason": "user_initiated",
        },
    )
    assert Letter.objects.get().status == "ready"


def test_a_manager_advances_live_orders_and_certified_mail_gets_tracked(
    live_api, letter_body, client, manager_user
):
    from tracking.models import Shipment

    letter = ok(live_api.post(url("letters"), {**letter_body, "extraService": "certified"}))
    client.force_login(manager_user)
    selected = {helpers.ACTION_CHECKBOX_NAME: [letter["id"]], "action": "advance"}
    confirm = client.post(CHANGELIST, selected).content.decode()
    assert "Advance <strong>1</strong>" in confirm and "tracking number" in confirm
    assert Letter.objects.get().status == "ready"
    for _ in range(2):
        done = client.post(CHANGELIST, {**selected, "apply": "yes"}, follow=True)
        assert "Advanced 1 order." in " ".join(str(m) for m in done.context["messages"])
    stored = Letter.objects.get()
    assert stored.live and stored.status == "processed_for_delivery"
    assert Shipment.objects.get(pk=stored.shipment_id).tracking_number == stored.tracking_number
    events = AuditEvent.objects.filter(action="letter.progress", user=manager_user)
    assert events.count() == 2
    client.post(CHANGELIST, {**selected, "apply": "yes"})
    refused = client.post(CHANGELIST, {**selected, "apply": "yes"}, follow=True)
    message = " ".join(str(m) for m in refused.context["messages"])
    assert "Advanced 0 orders. Refused 1" in message and "is completed" in message
