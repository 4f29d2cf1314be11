import re

from rest_framework.test import APIClient

from shipdesk.models import APIKey
from shipdesk.services import api_key_authenticate, api_key_create


def test_created_key_is_shown_once_and_stored_hashed(admin_client, partner):
    response = admin_client.post(
        "/admin/shipdesk/apikey/add/",
        {"partner": partner.pk, "name": "Shop backend", "rate_per_second": ""},
        follow=True,
    )

    raw_key = re.search(r"sd_live_[0-9a-f]{8}_[\w-]+", response.content.decode()).group(0)
    key = APIKey.objects.get(name="Shop backend")
    assert raw_key not in key.hashed_key
    assert raw_key.split("_")[2] == key.prefix
    assert api_key_authenticate(raw_key=raw_key) == key
    change_page = admin_client.get(f"/admin/shipdesk/apikey/{key.pk}/change/").content.decode()
    assert key.prefix in change_page
    assert raw_key not in change_page


def test_revoked_key_is_refused(admin_client, partner):
    key, raw_key = api_key_create(partner=partner, name="old")
    client = APIClient()
    client.credentials(HTTP_AS_API_KEY=raw_key)
    assert client.get("/tracking/2024-04/trackings").status_code == 200

    admin_client.post(
        "/admin/shipdesk/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )

    response = client.get("/tracking/2024-04/trackings")
    assert response.status_code == 401
    assert response.json()["meta"]["type"] == "Unauthorized"


def test_a_tampered_key_with_a_real_prefix_is_refused(partner):
    _, raw_key = api_key_create(partner=partner, name="k")
    assert api_key_authenticate(raw_key=raw_key[:-2] + "xx") is None
    assert api_key_authenticate(raw_key="nonsense") is None
