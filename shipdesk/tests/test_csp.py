"""Every page is sent with a Content-Security-Policy and works under it, in Chromium: the
workspace, the admin and the offline Swagger UI and Redoc. Each page is watched for console
messages and `securitypolicyviolation` events; a page that needed inline code without the nonce
would show one (and look or work broken)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mailorders.services.orders import OrderContent, order_create
from mailorders.tests.conftest import FROM, TO
from mailorders.tests.test_lifecycle import contact
from tracking.tests.workspace.support import add_checkpoint, make_shipment

# Recorded by the page itself from its first script on, so nothing before `load` is missed.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, with a list of every console message it writes."""
    messages = []

    def console(message):
        # The browser asks for /favicon.ico by itself (the favicon is the pages' business).
        if not message.location.get("url", "").endswith("/favicon.ico"):
            messages.append(f"{message.type}: {message.text} ({message.location.get('url')})")

    page.on("console", console)
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.add_init_script(WATCH_VIOLATIONS)
    page.messages = messages
    return page


def assert_clean(page, *, blocked: tuple[str, ...] = ()):
    """No violation and no console message, but for the `blocked` addresses (each refused)."""
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__cspViolations")
    refused = [v for v in violations if v.split(" ")[1] in blocked]
    assert [v for v in violations if v not in refused] == [], f"{page.url}: {violations}"
    assert len(refused) == len(blocked), f"{page.url}: {violations}"
    messages = [m for m in page.messages if not any(f"'{url}'" in m for url in blocked)]
    assert messages == [], f"{page.url}: {page.messages}"


@pytest.fixture
def letter(partner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order, _ = order_create(
        object_name="letter",
        partner=partner,
        live=False,
        to=contact(TO),
        from_=contact(FROM),
        content=OrderContent(html="<p>Dear {{to.firstName}}</p>"),
        description="Contract renewal",
    )
    return order


def test_every_response_carries_the_policy(client):
    policy = client.get("/login/").headers["Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


def test_the_inline_code_of_the_api_docs_carries_the_nonce_of_the_policy(client):
    for url, nonced in (("/api/docs/", 2), ("/api/redoc/", 1)):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
        body = response.content.decode()
        assert body.count(f'nonce="{nonce}"') == nonced, url
        assert "<script>" not in body, url
    # Redoc's bundle adds style elements before it could take a nonce: that page alone allows
    # inline styles, never inline scripts.
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self' 'nonce-" in policy


def test_the_workspace_pages_work_under_the_policy(
    watched, live_server, browser_login, manager_user, partner, letter
):
    shipment = make_shipment(partner, order_id="ORD-CSP-1", customer_name="Grace Hopper")
    add_checkpoint(shipment)
    browser_login(watched, manager_user)
    expect(watched.get_by_role("navigation", name="Main")).to_be_visible()
    assert_clean(watched)

    pages = {
        "/": "Dashboard",
        "/shipments/?q=Grace": shipment.tracking_number,
        f"/shipments/{shipment.public_id}/": shipment.tracking_number,
        "/mail/": letter.id,
        f"/mail/{letter.id}/": letter.id,
    }
    for path, text in pages.items():
        response = watched.goto(live_server.url + path)
        assert "content-security-policy" in response.headers, path
        expect(watched.locator("main")).to_contain_text(text)
        # shipdesk's stylesheet applied (its page background, not the browser's white).
        background = watched.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(246, 247, 251)", path
        assert_clean(watched)


def test_the_admin_works_under_the_policy(
    watched, live_server, browser_login, manager_user, partner
):
    shipment = make_shipment(partner)
    browser_login(watched, manager_user)

    for path in (
        "/admin/",
        "/admin/tracking/shipment/",
        f"/admin/tracking/shipment/{shipment.pk}/change/",
    ):
        watched.goto(live_server.url + path)
        expect(watched.locator("#site-name")).to_be_visible()
        assert_clean(watched)
    # The change list's JavaScript ran: selecting a row counts it.
    watched.goto(live_server.url + "/admin/tracking/shipment/")
    watched.locator("input.action-select").first.check()
    expect(watched.locator(".action-counter")).to_contain_text("1 of")
    assert_clean(watched)


def test_swagger_ui_renders_the_operations_under_the_policy(watched, live_server):
    watched.goto(live_server.url + "/api/docs/")

    expect(watched.locator(".opblock").first).to_be_visible(timeout=20_000)
    assert watched.locator(".opblock").count() > 10
    expect(watched.locator(".swagger-ui .info .title")).to_contain_text("shipdesk partner API")
    assert_clean(watched)


def test_redoc_renders_under_the_policy(watched, live_server):
    watched.goto(live_server.url + "/api/redoc/")

    expect(watched.locator(".api-info h1")).to_contain_text("shipdesk", timeout=20_000)
    expect(watched.locator("[role=menuitem]").first).to_be_visible()
    # Redoc's styles (style elements it adds with the nonce) applied: the menu is laid out.
    assert watched.locator(".menu-content").bounding_box()["width"] > 100
    # Redoc's menu footer asks Redocly's CDN for a logo: the page stays offline (the logo is
    # hidden when it does not load).
    assert_clean(watched, blocked=("https://cdn.redoc.ly/redoc/logo-mini.svg",))
