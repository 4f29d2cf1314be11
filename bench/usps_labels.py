"""Real USPS labels against the fake USPS server (zero added latency): throughput, rate-shop
latency and double purchases.

    .venv/bin/python bench/usps_labels.py

A live shipper account on a throwaway SQLite database talks over HTTP to
tracking.carriers.usps.fake on 127.0.0.1. Figures:

- labels_usps_per_s: the real path per label, one after another: validate the address, rate
  three services, buy the label (payment token cached), store USPS's PDF; median of rounds.
- rates_p95_ms: a three-service rate shop (Ground Advantage, Priority Mail, Priority Mail
  Express; own box and flat-rate), 95th percentile; the fake's own time printed beside it.
- label_double_purchases: over 200 creates where the fake hangs after buying on every fifth
  label call (the client times out, the partner retries with the same order_number), labels
  USPS charged minus labels shipdesk holds. Goal: 0.
"""

from __future__ import annotations

import logging
import statistics
import time

from _setup import figure, progress, table, throwaway_database

ROUNDS = 5
ROUND_LABELS = 20
RATE_SHOPS = 200
CREATES = 200
GOAL_PER_S = 10
GOAL_P95_MS = 100


def main() -> None:
    with throwaway_database("sqlite") as database:
        run(database)


def run(database: str) -> None:
    from django.conf import settings

    from mailorders.choices import LabelStatus
    from mailorders.models import Label, ShipperAccount
    from mailorders.services.common import LabelError
    from mailorders.services.labels import label_create
    from mailorders.services.usps_labels import usps_client_for
    from mailorders.tests.label_bodies import label_body
    from shipdesk.models import Partner
    from tracking.carriers.shipping import Parcel, PostalAddress, Service
    from tracking.carriers.usps import addresses, prices
    from tracking.carriers.usps.fake import CLIENT_ID, CLIENT_SECRET, FakeUspsServer

    server = FakeUspsServer().start()
    settings.USPS_TEST_BASE_URL = server.url
    settings.USPS_CLIENT_ID, settings.USPS_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.USPS_LABELS_REQUESTS_PER_HOUR = 10**7
    settings.USPS_TIMEOUT_SECONDS = 2.0
    settings.USPS_MAX_RETRIES = 0
    partner = Partner.objects.create(name="Bench", slug="bench")
    account = ShipperAccount.objects.create(
        partner=partner,
        description="USPS Ship (fake)",
        sandbox=False,
        mailer_id="904128936",
        crid="56982563",
        manifest_mid="904128937",
        eps_account="1000000001",
    )
    client = usps_client_for(account)
    to = PostalAddress(street="145 Mulberry St", city="New York", state="NY", zip_code="10013")
    parcel = Parcel(weight_lb=2, length_in=8, width_in=6, height_in=4)
    three = [Service.GROUND_ADVANTAGE, Service.PRIORITY_MAIL, Service.PRIORITY_MAIL_EXPRESS]

    def shop():
        return prices.rate_shop(
            client, origin_zip="84101", destination_zip="10013", parcel=parcel, services=three
        )

    serial = iter(range(10**9))

    def real_label():
        addresses.address_check(client, to)
        shop()
        body = label_body(account.pk, service_type="usps-discounted_priority_mail")
        body["order_number"] = f"bench-{next(serial)}"
        label_create(partner=partner, data=body)

    try:
        real_label()  # warm: token, payment token, connections
        rounds = []
        for number in range(1, ROUNDS + 1):
            progress(f"labels round {number}/{ROUNDS}")
            start = time.perf_counter()
            for _ in range(ROUND_LABELS):
                real_label()
            rounds.append(ROUND_LABELS / (time.perf_counter() - start))
        labels_per_s = statistics.median(rounds)

        progress("rate shops")
        shop_ms, fake_ms = [], []
        for _ in range(RATE_SHOPS):
            seen = len(server.fake.calls)
            start = time.perf_counter()
            shop()
            shop_ms.append((time.perf_counter() - start) * 1000)
            fake_ms.append(server.fake.calls[seen].seconds * 1000)
        p95 = statistics.quantiles(shop_ms, n=20)[18]
        fake_p95 = statistics.quantiles(fake_ms, n=20)[18]

        progress("creates with a timeout after every fifth purchase")
        settings.USPS_TIMEOUT_SECONDS = 0.2
        logging.getLogger("tracking.carriers.usps.client").setLevel(logging.ERROR)  # expected
        server.fake.hang_every("labels", 5, seconds=0.5)
        bought_before = server.fake.purchases
        held_before = Label.objects.filter(status=LabelStatus.CREATED).count()
        retries = 0
        for index in range(CREATES):
            body = label_body(account.pk, service_type="usps-discounted_priority_mail")
            body["order_number"] = f"retried-{index}"
            for _attempt in range(5):
                try:
                    label_create(partner=partner, data=body)
                    break
                except LabelError as exc:
                    if exc.code != "carrier_unavailable":
                        raise
                    retries += 1
        bought = server.fake.purchases - bought_before
        held = Label.objects.filter(status=LabelStatus.CREATED).count() - held_before
        double = bought - held
    finally:
        server.stop()

    print(f"Real USPS labels against the fake USPS server, {database}")
    print()
    print(
        table(
            ["figure", "value", "goal"],
            [
                ["labels per second (median round)", labels_per_s, f">= {GOAL_PER_S}"],
                ["  rounds", ", ".join(f"{r:.1f}" for r in rounds), ""],
                ["rate shop p95 ms (3 services)", p95, f"<= {GOAL_P95_MS}"],
                ["  of which the fake's own p95 ms", fake_p95, ""],
                ["creates / timeouts retried", f"{CREATES} / {retries}", ""],
                ["labels USPS charged / shipdesk holds", f"{bought} / {held}", ""],
                ["double purchases", double, "0"],
            ],
        )
    )
    figure("labels_usps_per_s", labels_per_s, "labels/s")
    figure("rates_p95_ms", p95, "ms")
    figure("label_double_purchases", double, "labels")


if __name__ == "__main__":
    main()
