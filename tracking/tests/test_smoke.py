from tracking.services.refresh import refresh_due
from tracking.services.shipments import shipment_create


def test_sandbox_refresh_moves_a_new_shipment(partner):
    shipment = shipment_create(partner=partner, tracking_number="9400 1118 9922 3123 4567 85")
    report = refresh_due()
    shipment.refresh_from_db()
    assert report.shipments == 1
    assert shipment.tracked_count == 1
