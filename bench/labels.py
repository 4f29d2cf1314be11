"""Shipping labels: sandbox label PDFs per second, and real USPS labels, rate shops and double
purchases against the fake USPS server (zero added latency).

    .venv/bin/python bench/labels.py

Everything runs on one throwaway SQLite database; the fake USPS (tracking.carriers.usps.fake)
answers over HTTP on 127.0.0.1. Figures (each the median of several rounds):

- labels_per_s: sandbox label PDFs (template, GS1-128 IMpb barcode, WeasyPrint), at 4x6 and
  4x8, the slower size. Baseline: WeasyPrint writing a one-paragraph document with the same
  offline URL fetcher, interleaved with it so both see the same machine load.
- labels_usps_per_s: the real path per label on a live account, one after another: check the
  address (Addresses 3.0), rate three services (Domestic Prices 3.0, Service Standards 3.0),
  buy the label (payment token cached), store USPS's PDF.
- rates_p95_ms: `rates_shop` for Ground Advantage, Priority Mail and Priority Mail Express (own
  box and the flat-rate boxes), 95th percentile, each on a lane not seen before (so USPS's
  service standards are asked, not the day's cache); the fake's own time is printed beside it,
  with a warm lane's p95 and the baseline of one bare HTTP round trip to the fake.
- label_double_purchases: over 200 creates where the fake hangs after buying on every fifth
  label call (the client times out, the partner retries with the same order_number): labels
  USPS charged minus labels shipdesk holds. Goal: 0.
"""

from __future__ import annotations

import logging
import statistics
import time

from _setup import figure, progress, table, throwaway_database

ROUNDS = 5
ROUND_SECONDS = 2.0
WARM_UP = 3
GOAL_PER_S = 10
MINIMAL_HTML = "<p>A one-paragraph document: the least WeasyPrint can be asked to write.</p>"
USPS_ROUND_LABELS = 20
RATE_SHOPS_PER_ROUND = 40
GOAL_P95_MS = 100
CREATES = 200


def per_second(work) -> float:
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < ROUND_SECONDS:
        work()
        done += 1
    return done / elapsed


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def main() -> None:
    with throwaway_database("sqlite") as database:
        sandbox = sandbox_pdfs()
        usps = usps_labels()
    report(database, sandbox, usps)


def sandbox_pdfs() -> dict:
    from weasyprint import HTML

    from mailorders.label_pdf import label_pdf_render
    from mailorders.models import ShipperAccount
    from mailorders.pdf import offline_fetcher
    from mailorders.services.labels import label_create
    from mailorders.tests.label_bodies import label_body
    from shipdesk.models import Partner

    partner = Partner.objects.create(name="Bench", slug="bench")
    account = ShipperAccount.objects.create(partner=partner, description="USPS Sandbox")
    labels = {
        size: label_create(partner=partner, data=label_body(account.pk, paper_size=size))
        for size in ("4x6", "4x8")
    }
    fetcher = offline_fetcher()  # the one label_pdf uses

    def floor():
        HTML(string=MINIMAL_HTML, url_fetcher=fetcher).write_pdf()

    work = {
        "label 4x6": lambda: label_pdf_render(label=labels["4x6"]),
        "label 4x8": lambda: label_pdf_render(label=labels["4x8"]),
        "floor: one-paragraph PDF": floor,
    }
    for job in work.values():
        for _ in range(WARM_UP):
            job()
    rates: dict[str, list[float]] = {name: [] for name in work}
    for round_number in range(1, ROUNDS + 1):
        progress(f"sandbox PDFs round {round_number}/{ROUNDS}")
        for name, job in work.items():  # interleaved: the same load for each
            rates[name].append(per_second(job))
    return rates


def usps_labels() -> dict:
    import requests
    from django.conf import settings

    from mailorders.choices import LabelStatus
    from mailorders.models import Label, ShipperAccount
    from mailorders.services.address_checks import address_check
    from mailorders.services.common import LabelError
    from mailorders.services.labels import label_create
    from mailorders.services.rates import rates_shop
    from mailorders.tests.label_bodies import label_body
    from shipdesk.models import Partner
    from tracking.carriers.shipping import Parcel, PostalAddress
    from tracking.carriers.usps.fake import CLIENT_ID, CLIENT_SECRET, FakeUspsServer

    server = FakeUspsServer().start()
    fake = server.fake
    settings.USPS_TEST_BASE_URL = server.url
    settings.USPS_CLIENT_ID, settings.USPS_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.USPS_LABELS_REQUESTS_PER_HOUR = 10**7
    settings.USPS_TIMEOUT_SECONDS = 2.0
    settings.USPS_MAX_RETRIES = 0
    partner = Partner.objects.create(name="Bench USPS", slug="bench-usps")
    account = ShipperAccount.objects.create(
        partner=partner,
        description="USPS Ship (fake)",
        sandbox=False,
        mailer_id="904128936",
        crid="56982563",
        manifest_mid="904128937",
        eps_account="1000000001",
    )
    origin = PostalAddress(
        street="230 W 200 S", city="Salt Lake City", state="UT", zip_code="84101"
    )
    to = PostalAddress(street="145 Mulberry St", city="New York", state="NY", zip_code="10013")
    parcel = Parcel(weight_lb=2, length_in=8, width_in=6, height_in=4)
    lanes = iter(range(10**6))

    def shop(destination=to):
        return rates_shop(account=account, origin=origin, destination=destination, parcel=parcel)

    def new_lane() -> PostalAddress:
        number = next(lanes)
        zip_code = f"{10000 + (number * 37) % 89000:05d}"
        return PostalAddress(street="1 Main St", city="Anytown", state="NY", zip_code=zip_code)

    serial = iter(range(10**9))

    def real_label():
        address_check(address=to, account=account)
        shop()
        body = label_body(account.pk, service_type="usps-discounted_priority_mail")
        body["order_number"] = f"bench-{next(serial)}"
        label_create(partner=partner, data=body)

    def timed_shop(destination) -> tuple[float, float]:
        seen = len(fake.calls)
        start = time.perf_counter()
        shop(destination)
        elapsed = (time.perf_counter() - start) * 1000
        return elapsed, sum(c.seconds for c in fake.calls[seen:]) * 1000

    try:
        real_label()  # warm: token, payment token, connections
        rounds = []
        for number in range(1, ROUNDS + 1):
            progress(f"USPS labels round {number}/{ROUNDS}")
            start = time.perf_counter()
            for _ in range(USPS_ROUND_LABELS):
                real_label()
            rounds.append(USPS_ROUND_LABELS / (time.perf_counter() - start))

        session = requests.Session()
        form = {"grant_type": "client_credentials", "client_id": CLIENT_ID}
        form["client_secret"] = CLIENT_SECRET

        def round_trip() -> float:
            start = time.perf_counter()
            session.post(f"{server.url}/oauth2/v3/token", data=form, timeout=2).raise_for_status()
            return (time.perf_counter() - start) * 1000

        cold, warm, fake_cold, floors, calls = [], [], [], [], []
        for number in range(1, ROUNDS + 1):
            progress(f"rate shops round {number}/{ROUNDS}")
            shops, fakes, warms = [], [], []
            for _ in range(RATE_SHOPS_PER_ROUND):
                seen = len(fake.calls)
                elapsed, fake_ms = timed_shop(new_lane())
                calls.append(len(fake.calls) - seen)
                shops.append(elapsed)
                fakes.append(fake_ms)
                warms.append(timed_shop(to)[0])
                floors.append(round_trip())
            cold.append(p95(shops))
            fake_cold.append(p95(fakes))
            warm.append(p95(warms))

        progress("creates with a timeout after every fifth purchase")
        settings.USPS_TIMEOUT_SECONDS = 0.2
        logging.getLogger("tracking.carriers.usps.client").setLevel(logging.ERROR)  # expected
        fake.hang_every("labels", 5, seconds=0.5)
        bought_before = fake.purchases
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
        bought = fake.purchases - bought_before
        held = Label.objects.filter(status=LabelStatus.CREATED).count() - held_before
    finally:
        server.stop()
    return {
        "rounds": rounds,
        "cold": cold,
        "fake_cold": fake_cold,
        "warm": warm,
        "floor": statistics.median(floors),
        "calls": statistics.median(calls),
        "retries": retries,
        "bought": bought,
        "held": held,
    }


def report(database: str, rates: dict, usps: dict) -> None:
    medians = {name: statistics.median(values) for name, values in rates.items()}
    floor_rate = medians["floor: one-paragraph PDF"]
    print(f"Shipping labels, {database}")
    print()
    print(f"Sandbox label PDFs: {ROUNDS} rounds of {ROUND_SECONDS:.0f} s, median round")
    print(
        table(
            ["document", "per second (median)", "min", "max", "ms each", "x floor time"],
            [
                [
                    name,
                    medians[name],
                    min(values),
                    max(values),
                    1000 / medians[name],
                    floor_rate / medians[name],
                ]
                for name, values in rates.items()
            ],
        )
    )
    labels_per_s = min(medians["label 4x6"], medians["label 4x8"])
    labels_usps_per_s = statistics.median(usps["rounds"])
    rates_p95 = statistics.median(usps["cold"])
    fake_p95 = statistics.median(usps["fake_cold"])
    double = usps["bought"] - usps["held"]
    print()
    print(f"Real USPS labels against the fake USPS server: {ROUNDS} rounds, median round")
    print(
        table(
            ["figure", "value", "goal"],
            [
                ["sandbox labels per second (slower size)", labels_per_s, f">= {GOAL_PER_S}"],
                ["USPS labels per second", labels_usps_per_s, f">= {GOAL_PER_S}"],
                ["  rounds", ", ".join(f"{r:.1f}" for r in usps["rounds"]), ""],
                ["rate shop p95 ms (3 services, new lane)", rates_p95, f"<= {GOAL_P95_MS}"],
                ["  of which the fake's own p95 ms", fake_p95, ""],
                ["  USPS calls per new-lane shop", usps["calls"], ""],
                ["  rounds' p95 ms", ", ".join(f"{r:.1f}" for r in usps["cold"]), ""],
                ["rate shop p95 ms (lane seen today)", statistics.median(usps["warm"]), ""],
                ["baseline: one HTTP round trip to the fake, ms", usps["floor"], ""],
                ["  new-lane p95 x baseline", rates_p95 / usps["floor"], ""],
                ["creates / timeouts retried", f"{CREATES} / {usps['retries']}", ""],
                ["labels USPS charged / shipdesk holds", f"{usps['bought']} / {usps['held']}", ""],
                ["double purchases", double, "0"],
            ],
        )
    )
    figure("labels_per_s", labels_per_s, "labels/s")
    figure("labels_usps_per_s", labels_usps_per_s, "labels/s")
    figure("rates_p95_ms", rates_p95, "ms")
    figure("rates_fake_p95_ms", fake_p95, "ms")
    figure("label_double_purchases", double, "labels")


if __name__ == "__main__":
    main()
