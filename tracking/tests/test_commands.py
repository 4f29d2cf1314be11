"""manage.py refresh_trackings and import_trackings (and the import service behind it)."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import QuerySet
from django.utils import timezone

from shipdesk.models import Partner
from tracking.carriers.budget import BudgetExhausted
from tracking.models import Shipment
from tracking.numbers import with_impb_check_digit
from tracking.services.imports import csv_rows, trackings_import
from tracking.services.shipments import shipment_create

GOOD = "9400111899223123456785"
GOOD_S10 = "EC123456785US"
BAD_CHECK = "9400111899223123456780"


def number(i: int) -> str:
    return with_impb_check_digit(f"9205500000000{i:08d}")


def due_shipments(partner, count):
    past = timezone.now() - timedelta(minutes=1)
    return [
        shipment_create(partner=partner, tracking_number=number(i), now=past) for i in range(count)
    ]


def run(*args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


class TTY(io.StringIO):
    def isatty(self):
        return True


# refresh_trackings


def test_refresh_trackings_refreshes_and_prints_a_summary(partner):
    shipments = due_shipments(partner, 3)

    out, _ = run("refresh_trackings", "--no-progress")

    assert "3 shipments due; carrier: USPS (simulated)." in out
    assert "Refreshed 3 shipments in 1 batch:" in out
    assert "0 errors" in out
    assert "Expired 0 shipments with no update for 30 days." in out
    assert "Carrier request budget: not exhausted." in out
    assert "still due" not in out
    for shipment in shipments:
        shipment.refresh_from_db()
        assert shipment.tracked_count == 1


def test_refresh_trackings_stops_after_max_batches(partner):
    due_shipments(partner, 40)

    out, _ = run("refresh_trackings", "--max-batches", "1", "--no-progress")

    assert "Refreshed 35 shipments in 1 batch:" in out
    assert "5 shipments still due." in out
    assert Shipment.objects.filter(tracked_count=0).count() == 5


def test_refresh_trackings_shows_a_progress_bar_on_a_terminal(partner, monkeypatch):
    due_shipments(partner, 36)
    terminal = TTY()
    monkeypatch.setattr("sys.stderr", terminal)

    run("refresh_trackings")

    assert "Refreshing" in terminal.getvalue()
    assert "36/36" in terminal.getvalue()


def test_refresh_trackings_says_when_the_budget_ran_out(partner, monkeypatch):
    due_shipments(partner, 2)

    class SpentCarrier:
        slug, name, batch_size, simulated, time_scale = "usps", "USPS", 35, False, 1.0

        def track(self, requests):
            raise BudgetExhausted("usps", timezone.now() + timedelta(minutes=30))

    monkeypatch.setattr("tracking.carriers.registry.get_carrier", lambda slug: SpentCarrier())

    out, _ = run("refresh_trackings", "--no-progress")

    assert "Refreshed 0 shipments in 0 batches" in out
    assert "Carrier request budget: spent." in out
    assert "2 shipments still due." in out


def test_refresh_trackings_rejects_a_non_positive_max_batches(db):
    with pytest.raises(CommandError, match="max-batches"):
        run("refresh_trackings", "--max-batches", "0")


# import_trackings

HEADER = (
    "Tracking Number,slug,title,order_id,order_number,customer_name,emails,smses,"
    "order_promised_delivery_date,destination_postal_code,destination_city,"
    "destination_country_iso3,note,warehouse\n"
)
MIXED_ROWS = [
    # row 2: good, two e-mails, a phone
    f"{GOOD},usps,Blue mug,ord-1,#1001,Ann Lee,ann@example.com; bo@example.com,+18555072509,"
    "2026-03-09,10001-1234,New York,usa,fragile,W1\n",
    # row 3: wrong check digit
    f"{BAD_CHECK},,,ord-2,,,,,,,,,,W1\n",
    # row 4: a date that is no date
    f"{number(1)},,,ord-3,,,,,2026-02-30,,,,,W1\n",
    # row 5: four e-mails
    f'{number(2)},,,ord-4,,,"a@x.com,b@x.com,c@x.com,d@x.com",,,,,,,W1\n',
    # row 6: not an e-mail address, and a bad country code
    f"{number(3)},,,ord-5,,,not-an-email,,,,,US,,W1\n",
    # row 7: blank line
    "\n",
    # row 8: good S10 with spaces in the number
    "ec 123 456 785 us,,,ord-6,,,,,,,,,,W2\n",
    # row 9: the first row again
    f"{GOOD},usps,Blue mug,ord-1,,,,,,,,,,W1\n",
    # row 10: no tracking number
    ",,,ord-7,,,,,,,,,,W1\n",
]


@pytest.fixture
def mixed_csv(tmp_path, db):
    path = tmp_path / "trackings.csv"
    path.write_text(HEADER + "".join(MIXED_ROWS), encoding="utf-8")
    return path


def test_import_reports_bad_rows_and_imports_good_ones(mixed_csv):
    with pytest.raises(CommandError, match="5 rows had errors") as exc:
        run("import_trackings", str(mixed_csv), "--partner", "Initech", "--no-progress")
    assert "the other rows were imported" in str(exc.value)

    partner = Partner.objects.get(name="Initech")  # created on the way
    assert sorted(Shipment.objects.values_list("tracking_number", flat=True)) == sorted(
        [GOOD, GOOD_S10]
    )
    mug = Shipment.objects.get(tracking_number=GOOD)
    assert mug.partner == partner
    assert (mug.title, mug.order_id, mug.order_number) == ("Blue mug", "ord-1", "#1001")
    assert mug.customer_name == "Ann Lee"
    assert mug.order_promised_delivery_date == date(2026, 3, 9)
    assert (mug.destination_postal_code, mug.destination_zip) == ("10001-1234", "10001")
    assert (mug.destination_city, mug.destination_country_iso3) == ("New York", "USA")
    assert mug.note == "fragile"
    assert mug.source == "import"
    assert sorted(mug.subscribers.values_list("channel", "address")) == [
        ("email", "ann@example.com"),
        ("email", "bo@example.com"),
        ("sms", "+18555072509"),
    ]
    assert mug.active and mug.next_check_at is not None  # due for its first check


def test_import_names_each_bad_row_field_and_reason(mixed_csv):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_trackings",
            str(mixed_csv),
            partner="Initech",
            no_progress=True,
            stdout=out,
            stderr=err,
        )
    lines = err.getvalue().splitlines()
    assert lines[0] == "Rows with errors:"
    problems = [line.strip() for line in lines[1:]]
    assert problems[0].startswith("row 3, tracking_number: ")
    assert "check digit" in problems[0]
    assert problems[1] == (
        "row 4, order_promised_delivery_date: '2026-02-30' is not a date in the form YYYY-MM-DD."
    )
    assert problems[2] == "row 5, emails: 4 given; at most 3 are allowed."
    assert problems[3] == (
        "row 6, destination_country_iso3: 'US' is not an ISO 3166-1 alpha-3 country code "
        "(e.g. USA)."
    )
    assert problems[4] == "row 6, emails: 'not-an-email' is not a valid e-mail address."
    assert problems[5] == "row 10, tracking_number: is required."
    assert len(problems) == 6
    summary = out.getvalue()
    assert "Ignored unknown columns: warehouse." in summary
    assert (
        "Imported 2 of 8 rows for Initech: 1 already tracked, 5 with errors (skipped)." in summary
    )


def test_importing_twice_imports_nothing_new(mixed_csv):
    with pytest.raises(CommandError):
        run("import_trackings", str(mixed_csv), "--partner", "Initech", "--no-progress")
    before = list(Shipment.objects.order_by("pk").values_list("pk", "tracking_number"))

    with pytest.raises(CommandError):
        run("import_trackings", str(mixed_csv), "--partner", "Initech", "--no-progress")

    assert list(Shipment.objects.order_by("pk").values_list("pk", "tracking_number")) == before
    assert Partner.objects.filter(name="Initech").count() == 1


def test_a_clean_file_imports_without_error_and_again_skips_everything(tmp_path, partner):
    path = tmp_path / "clean.csv"
    path.write_text(f"tracking_number,emails\n{GOOD},a@example.com\n{GOOD_S10},\n")

    first, _ = run("import_trackings", str(path), "--partner", partner.name, "--no-progress")
    second, _ = run("import_trackings", str(path), "--partner", partner.name, "--no-progress")

    assert "Imported 2 of 2 rows for Acme Parcels: 0 already tracked, 0 with errors" in first
    assert "Imported 0 of 2 rows for Acme Parcels: 2 already tracked, 0 with errors" in second
    assert partner.shipments.count() == 2


def test_the_same_number_for_another_partner_is_imported(tmp_path, partner, other_partner):
    shipment_create(partner=other_partner, tracking_number=GOOD)
    path = tmp_path / "one.csv"
    path.write_text(f"tracking_number\n{GOOD}\n")
    out, _ = run("import_trackings", str(path), "--partner", partner.name, "--no-progress")
    assert "Imported 1 of 1 rows" in out
    assert Shipment.objects.filter(tracking_number=GOOD).count() == 2


def test_import_shows_a_progress_bar_on_a_terminal(tmp_path, db, monkeypatch):
    path = tmp_path / "clean.csv"
    path.write_text("tracking_number\n" + "".join(f"{number(i)}\n" for i in range(5)))
    terminal = TTY()
    monkeypatch.setattr("sys.stderr", terminal)

    run("import_trackings", str(path), "--partner", "Initech")

    assert "Importing" in terminal.getvalue()
    assert "5/5" in terminal.getvalue()


def test_import_accepts_an_excel_byte_order_mark(tmp_path, db):
    path = tmp_path / "excel.csv"
    path.write_bytes(f"\ufefftracking_number,x\n{GOOD},1\n".encode())
    out, _ = run("import_trackings", str(path), "--partner", "Initech", "--no-progress")
    assert "Imported 1 of 1 rows" in out


def test_a_missing_file_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match=r"No such file: .*nope\.csv"):
        run("import_trackings", str(tmp_path / "nope.csv"), "--partner", "Initech")
    assert not Partner.objects.filter(name="Initech").exists()


def test_a_directory_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_trackings", str(tmp_path), "--partner", "Initech")


def test_a_file_without_a_tracking_number_column_is_a_clear_error(tmp_path, db):
    path = tmp_path / "wrong.csv"
    path.write_text("number,title\n9400111899223123456785,Mug\n")
    with pytest.raises(CommandError, match=r"no tracking_number column.*number, title"):
        run("import_trackings", str(path), "--partner", "Initech")
    assert not Partner.objects.filter(name="Initech").exists()


def test_an_empty_file_is_a_clear_error(tmp_path, db):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(CommandError, match="empty"):
        run("import_trackings", str(path), "--partner", "Initech")


def test_a_file_that_is_not_utf8_is_a_clear_error(tmp_path, db):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "tracking_number,customer_name\n9400111899223123456785,Jos\xe9\n".encode("latin-1")
    )
    with pytest.raises(CommandError, match="not a readable UTF-8 CSV"):
        run("import_trackings", str(path), "--partner", "Initech")
    assert Shipment.objects.count() == 0


def test_a_blank_partner_name_is_refused(tmp_path, db):
    path = tmp_path / "one.csv"
    path.write_text(f"tracking_number\n{GOOD}\n")
    with pytest.raises(CommandError, match="--partner"):
        run("import_trackings", str(path), "--partner", "  ")


# The import service


def test_the_service_reads_rows_as_they_come(partner):
    def rows():
        yield {"tracking_number": GOOD}
        # The first row is stored before the next one is even read.
        assert Shipment.objects.filter(tracking_number=GOOD).exists()
        yield {"tracking_number": GOOD_S10}

    seen = []
    report = trackings_import(partner=partner, rows=rows(), on_row=seen.append)

    assert (report.rows, report.imported, report.skipped) == (2, 2, 0)
    assert seen == [2, 3]


def test_text_longer_than_its_column_is_an_error_not_a_database_failure(partner):
    report = trackings_import(partner=partner, rows=[{"tracking_number": GOOD, "title": "x" * 256}])
    assert report.imported == 0
    assert [str(e) for e in report.errors] == [
        "row 2, title: is 256 characters long; at most 255 are allowed."
    ]


def test_bad_phone_numbers_and_unsupported_slugs_are_reported(partner):
    report = trackings_import(
        partner=partner,
        rows=[
            {"tracking_number": GOOD, "smses": "+1 855 507 2509; call me"},
            {"tracking_number": GOOD_S10, "slug": "fedex"},
        ],
    )
    assert [(e.row, e.field) for e in report.errors] == [(2, "smses"), (3, "slug")]
    assert report.invalid == 2


def test_csv_rows_ignores_unknown_columns_and_matches_names_loosely():
    ignored, rows = csv_rows(
        io.StringIO(" Tracking-Number ,Order ID,colour\nEC123456785US,o1,red\n")
    )
    assert ignored == ["colour"]
    assert list(rows) == [{"tracking_number": "EC123456785US", "order_id": "o1"}]


def test_a_row_created_by_someone_else_meanwhile_counts_as_existing(partner, monkeypatch):
    shipment_create(partner=partner, tracking_number=GOOD)
    real_exists = QuerySet.exists
    calls = []

    def exists_racing(queryset):
        """The first look misses the row, as when another process creates it just after."""
        calls.append(queryset)
        return False if len(calls) == 1 else real_exists(queryset)

    monkeypatch.setattr(QuerySet, "exists", exists_racing)

    report = trackings_import(partner=partner, rows=[{"tracking_number": GOOD}])

    assert (report.imported, report.existing, report.errors) == (0, 1, [])
    assert partner.shipments.count() == 1


def test_refresh_trackings_reports_a_failed_batch_without_a_traceback(partner, monkeypatch):
    due_shipments(partner, 2)

    class BrokenCarrier:
        slug, name, batch_size, simulated, time_scale = "usps", "USPS", 35, False, 1.0

        def track(self, requests):
            raise RuntimeError("mapper bug")

    monkeypatch.setattr("tracking.carriers.registry.get_carrier", lambda slug: BrokenCarrier())

    out, _ = run("refresh_trackings", "--no-progress")

    assert "2 errors" in out
    assert "1 batch failed" in out
