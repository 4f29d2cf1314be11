"""Trackings go out in the very bytes DRF's own JSON renderer writes (see shipdesk.renderers)."""

from rest_framework.renderers import JSONRenderer

from tracking.tests.api.support import ok, url


def test_a_tracking_list_answers_drfs_bytes(api, make_shipment):
    for _ in range(3):
        make_shipment()

    response = api.get(url("trackings"))

    ok(response)
    assert response.content == JSONRenderer().render(response.data)
    assert response["Content-Type"] == "application/json"


def test_one_tracking_answers_drfs_bytes(api, make_shipment):
    shipment = make_shipment()

    response = api.get(url("trackings", shipment.public_id))

    ok(response)
    assert response.content == JSONRenderer().render(response.data)
