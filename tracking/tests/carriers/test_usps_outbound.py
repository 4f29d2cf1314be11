"""The outbound USPS client (addresses, prices, payments, labels, SCAN forms) driven over real
HTTP against the fake USPS server (tracking.carriers.usps.fake): no mock of the client."""

import io
import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from tracking.carriers.shipping import (
    Extra,
    ImageFormat,
    LabelOrder,
    Packaging,
    Parcel,
    PaymentAccount,
    PostalAddress,
    Service,
)
from tracking.carriers.usps import addresses, labels, payments, prices, scan_forms
from tracking.carriers.usps.client import CarrierUnavailable, CredentialsRefused, UspsClient
from tracking.carriers.usps.errors import AccountIncomplete, UspsError
from tracking.carriers.usps.fake import CLIENT_ID, CLIENT_SECRET
from tracking.carriers.usps.fake.fixtures import usps_server  # noqa: F401
from tracking.models import CarrierToken

pytestmark = pytest.mark.django_db

ACCOUNT = PaymentAccount(
    crid="56982563", mid="904128936", manifest_mid="904128937", account_number="1000000001"
)
SHIP_FROM = PostalAddress(
    street="4120 Bingham Ave",
    city="St. Louis",
    state="MO",
    zip_code="63116",
    company="Acme Parcels",
    phone="314-555-0100",
)
SHIP_TO = PostalAddress(
    street="1100 Wyoming Street",
    secondary="Suite 150",
    city="St. Louis",
    state="MO",
    zip_code="63118",
    name="Joe Doe",
)
PARCEL = Parcel(Decimal("2.5"), Decimal(9), Decimal(6), Decimal(4))
MAILING = date(2026, 12, 3)


def order(**changes) -> LabelOrder:
    fields = {
        "ship_from": SHIP_FROM,
        "ship_to": SHIP_TO,
        "parcel": PARCEL,
        "service": Service.PRIORITY_MAIL,
        "mailing_date": MAILING,
        "idempotency_key": str(uuid.uuid4()),
        "extras": (Extra.TRACKING,),
    }
    fields.update(changes)
    return LabelOrder(**fields)


@pytest.fixture
def fake(usps_server):  # noqa: F811
    return usps_server.fake


@pytest.fixture
def client(usps_server, sleeps):  # noqa: F811
    return UspsClient(
        base_url=usps_server.url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        per_hour=10_000,
        timeout=2.0,
        max_retries=2,
        backoff=0.01,
        sleep=sleeps,
        token_key="usps-outbound-test",
        budget_key="usps-outbound-test",
    )


# --- tokens --------------------------------------------------------------------------------


def test_one_oauth_token_and_one_payment_token_serve_many_calls(client, fake):
    addresses.address_check(client, SHIP_TO)
    prices.rate_shop(
        client,
        origin_zip="63116",
        destination_zip="63118",
        parcel=PARCEL,
        services=[Service.PRIORITY_MAIL],
    )
    for _ in range(3):
        labels.label_create(client, ACCOUNT, order())

    assert len(fake.calls_of("token")) == 1
    assert len(fake.calls_of("payments")) == 1
    assert fake.purchases == 3
    [payment_call] = fake.calls_of("payments")
    roles = {r["roleName"]: r for r in payment_call.body["roles"]}
    assert roles["PAYER"]["CRID"] == "56982563" and roles["PAYER"]["accountType"] == "EPS"
    assert roles["LABEL_OWNER"]["MID"] == "904128936"
    assert roles["LABEL_OWNER"]["manifestMID"] == "904128937"
    # Cached in the database for every worker, under a key that does not show the account.
    row = CarrierToken.objects.get(carrier=payments.cache_key(client, ACCOUNT))
    assert row.access_token.startswith("fake-payment-") and "56982563" not in row.carrier


def test_expired_oauth_token_is_refreshed_once(client, fake):
    addresses.address_check(client, SHIP_TO)
    fake.expire_tokens()

    check = addresses.address_check(client, SHIP_TO)

    assert check.deliverable
    assert len(fake.calls_of("token")) == 2
    assert [c.headers["Authorization"] != "" for c in fake.calls_of("addresses")] == [True] * 3


def test_a_second_401_is_passed_on_not_looped(client, fake):
    fake.fail_next("addresses", times=3, status=401)

    with pytest.raises(UspsError) as refused:
        addresses.address_check(client, SHIP_TO)

    assert refused.value.status == 401
    assert len(fake.calls_of("addresses")) == 2


def test_expired_payment_token_is_refreshed_once_and_one_label_bought(client, fake):
    labels.label_create(client, ACCOUNT, order())
    fake.expire_payment_tokens()

    label = labels.label_create(client, ACCOUNT, order())

    assert label.tracking_number
    assert len(fake.calls_of("payments")) == 2
    assert fake.purchases == 2
    tokens_sent = [c.headers["X-Payment-Authorization-Token"] for c in fake.calls_of("labels")]
    assert tokens_sent[1] == tokens_sent[0] != tokens_sent[2]


def test_wrong_credentials_say_so_with_usps_words(client, fake):
    client.client_secret = "revoked"

    with pytest.raises(CredentialsRefused) as refused:
        addresses.address_check(client, SHIP_TO)

    assert refused.value.status == 401
    assert refused.value.usps_message == "Client credentials invalid"
    assert fake.calls_of("addresses") == []


def test_missing_payments_scope_is_a_401_from_payments(client, fake):
    fake.scopes = "addresses prices labels"

    with pytest.raises(UspsError) as refused:
        labels.label_create(client, ACCOUNT, order())

    assert refused.value.status == 401
    assert fake.calls_of("labels") == [] and fake.purchases == 0


# --- retries -------------------------------------------------------------------------------


def test_429_waits_for_retry_after_then_succeeds(client, fake, sleeps):
    fake.rate_limit_next("prices", retry_after=3)

    quotes = prices.rate_shop(
        client,
        origin_zip="63116",
        destination_zip="10001",
        parcel=PARCEL,
        services=[Service.GROUND_ADVANTAGE],
    )

    assert quotes and sleeps == [3.0]
    assert len(fake.calls_of("prices")) == 2


def test_429_beyond_patience_is_unavailable_with_retry_at(client, fake):
    fake.rate_limit_next("prices", retry_after=600)

    with pytest.raises(CarrierUnavailable) as unavailable:
        prices.rate_shop(
            client,
            origin_zip="63116",
            destination_zip="10001",
            parcel=PARCEL,
            services=[Service.GROUND_ADVANTAGE],
        )

    assert unavailable.value.retry_at is not None


def test_5xx_is_retried_with_the_same_idempotency_key(client, fake, sleeps):
    fake.fail_next("labels", times=2, status=503)
    wanted = order()

    label = labels.label_create(client, ACCOUNT, wanted)

    assert label.tracking_number and fake.purchases == 1
    keys = {c.headers["X-Idempotency-Key"] for c in fake.calls_of("labels")}
    assert keys == {wanted.idempotency_key}
    assert len(fake.calls_of("labels")) == 3 and len(sleeps) == 2


def test_timeout_after_buying_then_retry_answers_the_first_label(client, fake):
    client.timeout = 0.3
    fake.hang_next("labels", seconds=1.0)

    label = labels.label_create(client, ACCOUNT, order())

    assert fake.purchases == 1
    assert list(fake.labels) == [label.tracking_number]
    assert len(fake.calls_of("labels")) == 2


def test_outcome_unknown_then_reconciled_with_the_same_key(client, fake):
    client.timeout = 0.3
    fake.hang_next("labels", times=3, seconds=1.0)
    wanted = order()

    with pytest.raises(CarrierUnavailable) as unknown:
        labels.label_create(client, ACCOUNT, wanted)
    assert unknown.value.outcome_unknown
    assert fake.purchases == 1  # USPS bought it; we never heard

    label = labels.label_create(client, ACCOUNT, wanted)

    assert fake.purchases == 1
    assert list(fake.labels) == [label.tracking_number]


def test_refused_connection_is_unavailable(client, fake, usps_server):  # noqa: F811
    usps_server.stop()

    with pytest.raises(CarrierUnavailable):
        addresses.address_check(client, SHIP_TO)


# --- happy paths ---------------------------------------------------------------------------


def test_address_check_standardises(client, fake):
    fake.business.add("1100 WYOMING ST")

    check = addresses.address_check(client, SHIP_TO)

    assert check.deliverable and check.confirmed == "Y"
    assert check.address.street == "1100 WYOMING ST"
    assert check.address.secondary == "STE 150"
    assert check.address.city == "SAINT LOUIS"
    assert len(check.address.zip_plus4) == 4
    assert check.address.name == "Joe Doe"  # kept from what was sent
    assert check.business is True and check.vacant is False
    assert fake.calls_of("addresses")[0].params == {
        "streetAddress": "1100 Wyoming Street",
        "secondaryAddress": "Suite 150",
        "city": "St. Louis",
        "state": "MO",
        "ZIPCode": "63118",
    }


def test_address_no_match_is_a_verdict(client):
    check = addresses.address_check(
        client, PostalAddress(street="1 Nowhere St", city="Chicago", state="IL", zip_code="")
    )

    assert not check.deliverable and check.address is None
    assert check.message == "There is no match for the address requested."


def test_rate_shop_over_three_services_with_flat_rate_boxes(client, fake):
    quotes = prices.rate_shop(
        client,
        origin_zip="63116",
        destination_zip="10001",
        parcel=PARCEL,
        services=[Service.GROUND_ADVANTAGE, Service.PRIORITY_MAIL, Service.PRIORITY_MAIL_EXPRESS],
        extras=(Extra.TRACKING, Extra.INSURANCE),
        item_value=Decimal(150),
    )

    assert {q.service for q in quotes} == {
        Service.GROUND_ADVANTAGE,
        Service.PRIORITY_MAIL,
        Service.PRIORITY_MAIL_EXPRESS,
    }
    assert (Service.PRIORITY_MAIL, Packaging.SMALL_FLAT_RATE_BOX) in {
        (q.service, q.packaging) for q in quotes
    }
    assert [q.total for q in quotes] == sorted(q.total for q in quotes)
    for quote in quotes:
        assert quote.total == quote.base + sum(p for _, p in quote.extras)
        assert isinstance(quote.total, Decimal) and quote.zone
    [sent] = fake.calls_of("prices")
    assert sent.body["mailClasses"] == [
        "USPS_GROUND_ADVANTAGE",
        "PRIORITY_MAIL",
        "PRIORITY_MAIL_EXPRESS",
    ]
    assert sent.body["extraServices"] == [920, 930] and sent.body["itemValue"] == 150


def test_base_rate_of_one_service(client):
    quote = prices.base_rate(
        client,
        origin_zip="63116",
        destination_zip="10001",
        parcel=PARCEL,
        service=Service.PRIORITY_MAIL,
        packaging=Packaging.FLAT_RATE_ENVELOPE,
    )

    assert quote.service is Service.PRIORITY_MAIL
    assert quote.packaging is Packaging.FLAT_RATE_ENVELOPE
    assert quote.base > 0


def test_label_create_keeps_the_image_as_it_came(client, fake):
    label = labels.label_create(client, ACCOUNT, order(receipt=True))

    made = fake.labels[label.tracking_number]
    assert label.postage == Decimal(str(made.postage)) and label.zone == made.zone
    assert label.tracking_number.startswith("92055904128936")
    assert label.image_type == "application/pdf"
    page = PdfReader(io.BytesIO(label.image)).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (288, 432)
    assert label.tracking_number in page.extract_text()
    assert label.receipt.startswith(b"%PDF")
    assert label.routing == "42063118" and label.delivery_date == date(2026, 12, 5)
    sent = fake.calls_of("labels")[0].body
    assert sent["packageDescription"]["mailClass"] == "PRIORITY_MAIL"
    assert sent["packageDescription"]["rateIndicator"] == "SP"
    assert sent["toAddress"]["firstName"] == "Joe" and sent["toAddress"]["lastName"] == "Doe"
    assert sent["fromAddress"]["firm"] == "Acme Parcels"


def test_zpl_label(client):
    label = labels.label_create(client, ACCOUNT, order(image_format=ImageFormat.ZPL))

    assert label.image.startswith(b"^XA")


def test_cancel_before_and_after_a_scan_form(client, fake):
    first, second = (labels.label_create(client, ACCOUNT, order()) for _ in range(2))

    canceled = labels.label_cancel(client, ACCOUNT, first.tracking_number)
    assert canceled.refunded and canceled.tracking_number == first.tracking_number

    form = scan_forms.scan_form_create(
        client,
        tracking_numbers=[second.tracking_number],
        mailing_date=MAILING,
        ship_from=SHIP_FROM,
    )
    assert form.manifest_number and form.tracking_numbers == (second.tracking_number,)
    assert "5630" in PdfReader(io.BytesIO(form.image)).pages[0].extract_text()
    sent = fake.calls_of("scan_forms")[0].body
    assert sent["fromAddress"]["streetAddress"] == "4120 Bingham Ave"  # the flat, current shape
    assert sent["shipment"] == {"trackingNumbers": [second.tracking_number]}

    disputed = labels.label_cancel(client, ACCOUNT, second.tracking_number)
    assert not disputed.refunded and disputed.dispute_id


# --- USPS's refusals, passed on ------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"parcel": Parcel(Decimal(71), Decimal(9), Decimal(6), Decimal(4))},
            "packageDescription.weight",
            "should not exceed 70 LB",
        ),
        (
            {
                "ship_to": PostalAddress(
                    street="1 Nowhere Street",
                    city="Chicago",
                    state="IL",
                    zip_code="60607",
                    name="Nobody Here",
                )
            },
            "toAddress.streetAddress",
            "Address Not Found",
        ),
        (
            {"service": Service.PRIORITY_MAIL_EXPRESS},
            "packageDescription.mailClass",
            "does not qualify for the selected mail class",
        ),
    ],
)
def test_label_refusals_carry_usps_message_and_field(client, fake, changes, field, words):
    fake.refused_express_zips.add("63118")

    with pytest.raises(UspsError) as refused:
        labels.label_create(client, ACCOUNT, order(**changes))

    assert refused.value.status == 400
    assert refused.value.field == field
    assert words in refused.value.detail and words in str(refused.value)
    assert fake.purchases == 0


def test_crid_not_enrolled_is_usps_words(client, fake):
    fake.not_enrolled_crids.add(ACCOUNT.crid)

    with pytest.raises(UspsError) as refused:
        labels.label_create(client, ACCOUNT, order())

    assert refused.value.field == "CRID"
    assert "Must be enrolled in USPS Ship Outbound" in str(refused.value)


def test_missing_crid_or_mid_is_refused_before_asking_usps(client, fake):
    incomplete = PaymentAccount(crid="", mid="", manifest_mid="904128937", account_number="1")

    with pytest.raises(AccountIncomplete) as missing:
        labels.label_create(client, replace(ACCOUNT, crid="", mid=""), order())
    assert missing.value.fields == ["crid", "mid"]
    with pytest.raises(AccountIncomplete):
        payments.payment_token(client, incomplete)
    assert fake.calls_of("payments") == [] and fake.calls_of("labels") == []


def test_cancel_of_an_unknown_label_names_the_tracking_number(client):
    with pytest.raises(UspsError) as refused:
        labels.label_cancel(client, ACCOUNT, "9205590000000000000000")

    assert refused.value.field == "trackingNumber" and "Order not found" in str(refused.value)


def test_scan_form_refusal_passed_on(client):
    label = labels.label_create(client, ACCOUNT, order())
    scan_forms.scan_form_create(
        client, tracking_numbers=[label.tracking_number], mailing_date=MAILING, ship_from=SHIP_FROM
    )

    with pytest.raises(UspsError) as refused:
        scan_forms.scan_form_create(
            client,
            tracking_numbers=[label.tracking_number],
            mailing_date=MAILING,
            ship_from=SHIP_FROM,
        )

    assert "already part of another SCAN Form" in str(refused.value)


def test_rate_refusal_passed_on(client):
    with pytest.raises(UspsError) as refused:
        prices.rate_shop(
            client,
            origin_zip="63116",
            destination_zip="1000",
            parcel=PARCEL,
            services=[Service.PRIORITY_MAIL],
        )

    assert refused.value.field == "destinationZIPCode"
