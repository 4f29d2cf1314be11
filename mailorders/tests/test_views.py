"""The agents' mail-order pages: find by id, recipient, tracking number, description; read one."""

from __future__ import annotations

import pytest
import time_machine

from .conftest import TO, ok, url


@pytest.fixture
def orders(api, other_api, create_letter):
    mine = create_letter(description="Renewal notice", extraService="certified")
    for _ in range(2):
        ok(api.post(url("letters", mine["id"], "progressions")))
    theirs = create_letter(other_api, to={**TO, "firstName": "Grace", "lastName": "Hopper"})
    postcard = ok(api.post(url("postcards"), {"to": TO, "frontHTML": "f", "backHTML": "b"}))
    return {"mine": ok(api.get(url("letters", mine["id"]))), "theirs": theirs, "postcard": postcard}


def test_the_list_shows_every_partners_orders_by_kind(
    agent_client, orders, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        page = agent_client.get("/mail/")
    html = page.content.decode()
    assert page.status_code == 200
    assert orders["mine"]["id"] in html and orders["theirs"]["id"] in html
    assert orders["postcard"]["id"] not in html  # on the Postcards tab
    assert 'Postcards<span class="count">1</span>' in html
    postcards = agent_client.get("/mail/", {"type": "postcard"}).content.decode()
    assert orders["postcard"]["id"] in postcards


@pytest.mark.parametrize(
    ("term", "found", "absent"),
    [
        ("Grace", "theirs", "mine"),
        ("renewal", "mine", "theirs"),
    ],
)
def test_search_by_recipient_and_description(agent_client, orders, term, found, absent):
    html = agent_client.get("/mail/", {"q": term}).content.decode()
    assert orders[found]["id"] in html and orders[absent]["id"] not in html


def test_an_exact_id_or_tracking_number_finds_the_order(agent_client, orders):
    response = agent_client.get("/mail/", {"q": orders["theirs"]["id"]})
    assert (
        response.status_code == 302 and response["Location"] == f"/mail/{orders['theirs']['id']}/"
    )
    number = orders["mine"]["trackingNumber"]
    html = agent_client.get("/mail/", {"q": number}).content.decode()
    assert orders["mine"]["id"] in html and orders["theirs"]["id"] not in html


def test_the_detail_page(agent_client, orders):
    mine = orders["mine"]
    page = agent_client.get(f"/mail/{mine['id']}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Processed for delivery" in html and "Certified" in html
    assert mine["trackingNumber"] in html and "/shipments/" in html  # links to its shipment
    assert "145 Mulberry St" in html and "Acme Parcels" in html
    assert "ready → printing" in html  # the history
    assert "/print-mail/v1/files/" in html


def test_pages_need_an_agent(client, orders, django_user_model):
    assert client.get("/mail/").status_code == 302  # to the log-in page
    client.force_login(django_user_model.objects.create_user("nobody", password="long-password-1"))
    assert client.get("/mail/").status_code == 403
    assert client.get(f"/mail/{orders['mine']['id']}/").status_code == 403


def test_unknown_ids_and_bad_input(agent_client, orders):
    assert agent_client.get("/mail/letter_nope/").status_code == 404
    assert agent_client.get("/mail/", {"page": "0"}).status_code == 400
    assert agent_client.get("/mail/", {"q": "a\x00b"}).status_code == 400
    assert agent_client.get("/mail/", {"type": "parcel"}).status_code == 400
    assert agent_client.get("/mail/", {"page": "999"}).status_code == 200  # the last page


def test_times_read_in_the_recipients_zone(agent_client, api, create_letter):
    """A letter to Seattle created at 03:30 UTC was created the evening before in Seattle."""
    with time_machine.travel("2026-11-20T03:30:00Z", tick=False):
        seattle = create_letter(
            to={**TO, "city": "Seattle", "provinceOrState": "WA", "postalOrZip": "98101"}
        )
    html = agent_client.get("/mail/").content.decode()
    assert "Nov 19, 2026 19:30 PST" in html
    assert "times in each recipient's time zone" in html and "times in UTC" not in html
    detail = agent_client.get(f"/mail/{seattle['id']}/").content.decode()
    assert "Nov 19, 2026 19:30 PST" in detail
    assert "America/Los_Angeles" in detail
