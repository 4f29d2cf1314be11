"""Labels in admin: managers add sandbox shipper accounts; labels and manifests are listed."""

from __future__ import annotations

from mailorders.models import ShipperAccount
from mailorders.services.labels import label_create
from mailorders.tests.label_bodies import label_body


def test_an_admin_adds_a_sandbox_account_and_sees_its_labels(
    admin_client, partner, settings, tmp_path, django_assert_max_num_queries
):
    settings.MEDIA_ROOT = tmp_path / "media"
    response = admin_client.post(
        "/admin/mailorders/shipperaccount/add/",
        {
            "partner": partner.pk,
            "description": "USPS Sandbox",
            "sandbox": "on",
            "credentials_ref": "",
            "mailer_id": "900000123",
        },
    )
    assert response.status_code == 302, response.content
    account = ShipperAccount.objects.get()
    labels = [label_create(partner=partner, data=label_body(account.pk)) for _ in range(3)]
    assert labels[0].tracking_number[5:14] == "900000123"
    with django_assert_max_num_queries(12):
        page = admin_client.get("/admin/mailorders/label/")
    assert page.status_code == 200
    for label in labels:
        assert label.tracking_number in page.content.decode()
    assert admin_client.get("/admin/mailorders/manifest/").status_code == 200


def test_a_mailer_id_that_is_not_nine_digits_is_refused_on_the_form(admin_client, partner):
    full_width_digits = "".join(chr(0xFF10 + int(d)) for d in "123456789")
    for bad in ("12ab", "12345678", full_width_digits):
        response = admin_client.post(
            "/admin/mailorders/shipperaccount/add/",
            {"partner": partner.pk, "description": "USPS Sandbox", "mailer_id": bad},
        )
        assert response.status_code == 200
        assert "A Mailer ID is nine digits." in response.content.decode()
    assert not ShipperAccount.objects.exists()
