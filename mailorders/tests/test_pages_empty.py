"""The mail page when nothing is there to show: the kinds' tabs stay, and the page says why
the table is empty (no orders yet, or none matching the search)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect


def tab_names(page) -> list[str]:
    return (
        page.get_by_role("navigation", name="Kinds of mail").get_by_role("link").all_inner_texts()
    )


def test_an_empty_desk_shows_the_tabs_and_says_no_mail_orders_yet(
    page, live_server, browser_login, agent_user, screenshot
):
    browser_login(page, agent_user)
    page.goto(live_server.url + "/mail/")
    expect(page.get_by_role("heading", name="Mail orders")).to_be_visible()
    assert [t.split("\n")[0].strip() for t in tab_names(page)] == [
        "Letters0",
        "Postcards0",
        "Cheques0",
        "Self-mailers0",
    ]
    expect(page.locator("p.empty-results")).to_have_text("No mail orders yet.")
    screenshot(page, "mail-orders-empty")


def test_a_search_matching_nothing_says_so_under_the_tabs(
    page, live_server, browser_login, agent_user, api, create_letter, screenshot
):
    create_letter(description="Renewal notice")
    browser_login(page, agent_user)
    page.goto(live_server.url + "/mail/?q=zzz")
    expect(page.get_by_role("navigation", name="Kinds of mail")).to_be_visible()
    expect(page.locator("p.empty-results")).to_have_text("No mail orders match “zzz”.")
    screenshot(page, "mail-orders-no-match")


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({}, "No mail orders yet."),
        ({"q": "zzz"}, "No mail orders match “zzz”."),
        ({"status": "cancelled"}, "No mail orders with status Cancelled."),
        ({"q": "zzz", "status": "cancelled"}, "No mail orders with status Cancelled match “zzz”."),
    ],
)
def test_the_empty_page_names_what_was_asked(
    agent_client, query, says, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = agent_client.get("/mail/", query)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-label="Kinds of mail"' in html
    assert says in html


def test_an_empty_tab_beside_full_ones_points_to_them(agent_client, api, create_letter):
    letter = create_letter(description="Renewal notice")
    html = agent_client.get("/mail/", {"type": "postcard"}).content.decode()
    assert 'Letters<span class="count">1</span>' in html
    assert "No postcards match." in html
    assert letter["id"] not in html
