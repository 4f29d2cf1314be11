import pytest

from tracking import numbers
from tracking.numbers import TrackingNumberError, detect_slugs, parse, validate_for_usps
from tracking.services.shipments import ShipmentError, shipment_create

# Check digits worked out by hand (weights 3,1,3,… from the right of the body):
# 940011189922312345678 -> sum 175 -> (10 - 5) % 10 = 5
IMPB_22 = "9400111899223123456785"
IMPB_26 = "92346901234567890123456780"
# S10: 1·8 + 2·6 + 3·4 + 4·2 + 5·3 + 6·5 + 7·9 + 8·7 = 204; 204 mod 11 = 6; 11 - 6 = 5
S10 = "EC123456785US"
S10_CHECK_10_IS_0 = "RR000600000US"  # 6·2 = 12; 12 mod 11 = 1; 11 - 1 = 10 -> 0
S10_CHECK_11_IS_5 = "RR000000005US"  # sum 0; 11 - 0 = 11 -> 5


def reference_mod10(body: str) -> int:
    """The same rule written from the left, to check the module's from-the-right version."""
    weights = [3 if (len(body) - i) % 2 == 1 else 1 for i in range(len(body))]
    return (10 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 10) % 10


@pytest.mark.parametrize("number", [IMPB_22, IMPB_26, "9405500000000000000016"])
def test_valid_impb_numbers_are_usps(number):
    assert reference_mod10(number[:-1]) == int(number[-1])
    parsed = parse(number)
    assert parsed == numbers.ParsedNumber(number, "impb", "usps")


@pytest.mark.parametrize("number", [IMPB_22, IMPB_26])
def test_every_wrong_impb_check_digit_is_rejected_with_a_message_saying_so(number):
    for digit in "0123456789":
        if digit == number[-1]:
            continue
        with pytest.raises(TrackingNumberError, match="check digit") as exc:
            parse(number[:-1] + digit)
        assert f"expected {number[-1]}, got {digit}" in str(exc.value)


def test_a_swapped_pair_of_digits_is_caught():
    swapped = IMPB_22[:12] + IMPB_22[13] + IMPB_22[12] + IMPB_22[14:]
    assert swapped != IMPB_22
    with pytest.raises(TrackingNumberError, match="check digit"):
        parse(swapped)


@pytest.mark.parametrize(
    "routed",
    [
        "420" + "10001" + IMPB_22,
        "420" + "100011234" + IMPB_22,
        "420" + "10001" + IMPB_26,
        # The +4 starts with 92: also readable as ZIP 12345 + a 26-digit "IMpb" 9212…
        "420" + "123459212" + IMPB_22,
    ],
)
def test_a_420_zip_routing_prefix_is_removed(routed):
    assert parse(routed).number in (IMPB_22, IMPB_26)
    assert parse(routed).kind == "impb"


def test_a_routed_number_with_a_wrong_check_digit_is_rejected():
    with pytest.raises(TrackingNumberError, match="check digit"):
        parse("420" + "10001" + IMPB_22[:-1] + "0")


@pytest.mark.parametrize("number", [S10, S10_CHECK_10_IS_0, S10_CHECK_11_IS_5])
def test_valid_s10_numbers(number):
    parsed = parse(number)
    assert (parsed.number, parsed.kind, parsed.slug) == (number, "s10", "usps")


@pytest.mark.parametrize(
    "number", ["EC123456789US", "EC123456780US", "RR000600001US", "RR000000000US"]
)
def test_wrong_s10_check_digits_are_rejected(number):
    with pytest.raises(TrackingNumberError, match="check digit"):
        parse(number)


def test_s10_from_another_country_is_valid_but_not_assigned_a_carrier():
    parsed = parse("RR000000005CN")
    assert parsed.kind == "s10"
    assert parsed.slug is None


def test_whitespace_and_dashes_are_stripped_and_letters_upper_cased():
    assert parse(" 9400 1118-9922 3123\t4567 85 ").number == IMPB_22
    assert parse("ec 123-456-785 us").number == S10


@pytest.mark.parametrize("raw", ["", "   ", "ABC", "12 3", "A" * 101])
def test_length_limits_for_the_api(raw):
    with pytest.raises(TrackingNumberError, match="4 to 100 characters"):
        parse(raw)


def test_length_limit_bounds_are_inclusive():
    assert parse("ABCD").kind == "other"
    assert parse("A" * 100).number == "A" * 100


@pytest.mark.parametrize("raw", ["ABC/1234", "1Z99.9AA1", "ÄBCDEF12", "12345\uff16"])
def test_only_ascii_letters_and_digits(raw):
    with pytest.raises(TrackingNumberError, match="letters and digits"):
        parse(raw)


def test_usps_takes_4_to_34_alphanumerics():
    validate_for_usps("A" * 34)
    validate_for_usps("ABCD")
    with pytest.raises(TrackingNumberError, match="4 to 34"):
        validate_for_usps("A" * 35)


def test_numbers_of_other_formats_pass_without_a_carrier():
    assert parse("1Z999AA10123456784") == numbers.ParsedNumber("1Z999AA10123456784", "other", None)


@pytest.mark.parametrize(
    ("raw", "slugs"),
    [
        (IMPB_22, ["usps"]),
        ("420 10001 " + IMPB_22, ["usps"]),
        (S10, ["usps"]),
        ("RR000000005CN", []),
        ("1Z999AA10123456784", []),
        (IMPB_22[:-1] + "0", []),  # a wrong check digit is nobody's
        ("x", []),
    ],
)
def test_detect_slugs(raw, slugs):
    assert detect_slugs(raw) == slugs


def test_creating_a_shipment_stores_the_normalised_number(partner):
    shipment = shipment_create(
        partner=partner, tracking_number="420 10001 9400-1118-9922-3123-4567-85"
    )
    assert shipment.tracking_number == IMPB_22
    assert shipment.slug == "usps"


def test_creating_a_shipment_with_a_wrong_check_digit_fails_on_the_number(partner):
    with pytest.raises(ShipmentError, match="check digit") as exc:
        shipment_create(partner=partner, tracking_number="EC123456789US")
    assert exc.value.field == "tracking_number"


def test_creating_a_usps_shipment_longer_than_34_characters_fails(partner):
    with pytest.raises(ShipmentError, match="4 to 34") as exc:
        shipment_create(partner=partner, tracking_number="A" * 35)
    assert exc.value.field == "tracking_number"
