"""A label's addresses in admin read as postal address blocks, not as raw JSON."""

from __future__ import annotations

import html as htmllib
import re

from mailorders.models import ShipperAccount
from mailorders.services.labels import label_create
from mailorders.tests.label_bodies import label_body


def field(page: str, name: str) -> str:
    """The text of the read-only admin field `name` (its lines joined by |)."""
    match = re.search(rf'field-{name}\b.*?<div class="readonly">(.*?)</div>', page, re.S)
    assert match, name
    return "|".join(
        htmllib.unescape(re.sub(r"<[^>]+>", "", line)).strip()
        for line in re.split(r"<br\s*/?>", match.group(1))
    )


def test_label_addresses_are_postal_blocks(
    admin_client, partner, settings, tmp_path, django_assert_max_num_queries
):
    settings.MEDIA_ROOT = tmp_path / "media"
    account = ShipperAccount.objects.create(partner=partner, description="USPS Sandbox")
    label = label_create(partner=partner, data=label_body(account.pk))
    with django_assert_max_num_queries(12):
        page = admin_client.get(f"/admin/mailorders/label/{label.pk}/change/").content.decode()
    assert (
        field(page, "ship_to_address") == "Ada Lovelace|145 Mulberry St|Apt PH D|New York, NY 10013"
    )
    assert field(page, "ship_from_address") == (
        "AfterShip Shipping|230 W 200 S LBBY|Salt Lake City, UT 84101|123456789 · test@test.com"
    )
    assert field(page, "return_to_address") == "—"
    assert '{"city"' not in page and "&quot;street1&quot;" not in page


def test_an_address_abroad_names_its_country(admin_client, partner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    account = ShipperAccount.objects.create(partner=partner, description="USPS Sandbox")
    label = label_create(partner=partner, data=label_body(account.pk))
    label.ship_to = {**label.ship_to, "country": "CAN", "company_name": "Acme <b>Ltd</b>"}
    label.save(update_fields=["ship_to"])
    page = admin_client.get(f"/admin/mailorders/label/{label.pk}/change/").content.decode()
    lines = field(page, "ship_to_address").split("|")
    assert lines[1] == "Acme <b>Ltd</b>"  # escaped, shown as typed
    assert lines[-1] == "CAN"
