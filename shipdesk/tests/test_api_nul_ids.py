"""A record id holding a NUL names nothing: each API answers its own 404 envelope, on
PostgreSQL too (which refuses NUL in text, so looking the id up would fail)."""

from __future__ import annotations

import pytest
from django.test import Client

from shipdesk.services import api_key_create

PATHS = [
    ("as-api-key", "/tracking/2024-04/trackings/ab%00cd", "aftership"),
    ("as-api-key", "/tracking/2024-04/trackings/usps/9400%001", "aftership"),
    ("x-api-key", "/print-mail/v1/letters/letter_%00x", "postgrid"),
    ("x-api-key", "/print-mail/v1/contacts/contact_%00", "postgrid"),
    ("x-api-key", "/print-mail/v1/templates/template_%00", "postgrid"),
    ("x-api-key", "/print-mail/v1/bank_accounts/bank_%00", "postgrid"),
    ("x-api-key", "/print-mail/v1/webhooks/webhook_%00", "postgrid"),
    ("x-api-key", "/print-mail/v1/webhooks/webhook_%00/invocations", "postgrid"),
    ("postmen-api-key", "/postmen/v3/labels/a%00b", "postmen"),
    ("postmen-api-key", "/postmen/v3/labels/a%00b/file", "postmen"),
    ("postmen-api-key", "/postmen/v3/manifests/a%00b", "postmen"),
    ("postmen-api-key", "/postmen/v3/shipper-accounts/a%00b", "postmen"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("header", "path", "dialect"), PATHS, ids=[p[1] for p in PATHS])
def test_an_id_with_a_nul_answers_the_apis_own_404(header, path, dialect, partner, settings):
    settings.API_RATE_PER_SECOND = 10_000
    raw = api_key_create(partner=partner, name="nul", is_test=True)[1]
    response = Client(raise_request_exception=False).get(path, headers={header: raw})
    assert response.status_code == 404, response.content
    body = response.json()
    if dialect == "aftership":
        assert body["meta"]["code"] == 4004
    elif dialect == "postgrid":
        assert body["error"]["type"] == "not_found_error"
    else:
        assert body["meta"]["code"] != 500 and body["data"] == {}
