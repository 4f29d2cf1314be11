from tracking.carriers.base import TrackResult
from tracking.numbers import with_impb_check_digit
from tracking.services.refresh import refresh_due
from tracking.services.shipments import shipment_create


class UnreachableCarrier:
    slug = "usps"
    name = "USPS"
    batch_size = 35
    simulated = False
    time_scale = 1.0

    def __init__(self):
        self.calls = 0

    def track(self, requests):
        self.calls += 1
        return [
            TrackResult(r.tracking_number, error="USPS unreachable", retryable=True)
            for r in requests
        ]


def test_an_unreachable_carrier_ends_the_pass_after_one_batch(partner):
    for i in range(80):
        shipment_create(
            partner=partner, tracking_number=with_impb_check_digit(f"9400111899{i:011d}")
        )
    carrier = UnreachableCarrier()

    report = refresh_due(carriers={"usps": carrier})

    assert carrier.calls == 1
    assert report.carrier_unavailable
    assert report.shipments == 35
