"""The workspace's own pages for what cannot be shown: not found (with DEBUG on too, as under
`make run`), not allowed (an agent at the admin), and the server's error page."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error
from playwright.sync_api import expect

BAD_IDS = [
    "/shipments/nosuchshipment0000000000/",
    "/shipments/%E2%80%A6%20not-an-id/",
    "/mail/letter_nosuch/",
    "/mail/not-an-order-id/",
]


@pytest.mark.parametrize("path", BAD_IDS)
def test_a_bad_id_shows_the_workspace_404_with_debug_on(
    page, live_server, browser_login, agent_user, settings, path, screenshot
):
    settings.DEBUG = True
    browser_login(page, agent_user)
    response = page.goto(live_server.url + path)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.get_by_text("Using the URLconf")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Search")
    page.get_by_role("link", name="Back to the dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    if path == BAD_IDS[0]:
        page.goto(live_server.url + path)
        screenshot(page, "not-found")


@pytest.mark.parametrize(
    "path",
    [
        "/shipments/nosuch/",
        "/mail/letter_nosuch/",
        "/no/such/page/",
        # A NUL would reach PostgreSQL's text comparison (which refuses it) without the guard.
        "/shipments/%00/",
        "/shipments/ab%00cd/pod/email/",
        "/shipments/%00/pod.pdf",
        "/mail/letter_%00/",
        "/shipments/%00/labels/%00.pdf",
        "/shipments/" + "x" * 3000 + "/",
    ],
)
def test_a_404_is_the_workspace_page_with_debug_off(
    agent_client, path, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = agent_client.get(path)
    html = response.content.decode()
    assert response.status_code == 404
    assert ">Not found</h1>" in html and 'href="/"' in html
    assert 'aria-label="Main"' in html  # the base layout, with the agent's nav


def test_an_agent_at_the_admin_sees_not_allowed_and_a_way_back(
    page, live_server, browser_login, agent_user, screenshot
):
    browser_login(page, agent_user)
    response = page.goto(live_server.url + "/admin/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_text("not authorized")).to_have_count(0)
    expect(page.get_by_text("The admin is for managers.")).to_be_visible()
    screenshot(page, "admin-not-allowed")
    page.get_by_role("link", name="Back to the dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def test_the_admin_login_stays_for_anonymous_users_and_managers_get_in(client, manager_user):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/login/?next=/admin/"
    login = client.get(response["Location"])
    assert login.status_code == 200 and 'name="username"' in login.content.decode()
    client.force_login(manager_user)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/").status_code == 302  # on to the index


def test_an_agent_posting_to_the_admin_login_is_refused_too(agent_client):
    response = agent_client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


def test_the_server_error_page_has_the_layout_and_a_way_back():
    """Rendered without the database (pytest-django refuses it here): a 500 may be its fault."""
    response = server_error(RequestFactory().get("/shipments/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert ">Something went wrong</h1>" in html
    assert 'href="/"' in html and "shipdesk.css" in html
