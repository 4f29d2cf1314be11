"""AfterShip Tracking API 2026-07: the same views as 2024-04, speaking the 2026-07 dialect.

Trackings are named by id only in this version (no slug + number paths).
"""

from django.urls import path, re_path

from shipdesk.api import NotFoundView
from tracking.api import courier_connections, couriers, edd, views
from tracking.api.versions.v2026_07 import VERSION

BY_ID = "<str:tracking_id>"


def route(url: str, view, name: str):
    return path(url, view.as_view(version=VERSION), name=f"api-2026-07-{name}")


urlpatterns = [
    route("trackings", views.TrackingListView, "trackings"),
    route(f"trackings/{BY_ID}", views.TrackingDetailView, "tracking"),
    route(f"trackings/{BY_ID}/retrack", views.RetrackView, "retrack"),
    route(f"trackings/{BY_ID}/mark-as-completed", views.MarkCompletedView, "complete"),
    route("couriers", couriers.CourierListView, "couriers"),
    route("couriers/detect", couriers.CourierDetectView, "couriers-detect"),
    route("estimated-delivery-date/predict", edd.PredictView, "edd-predict"),
    route("estimated-delivery-date/predict-batch", edd.PredictBatchView, "edd-predict-batch"),
]

urlpatterns += [
    route("courier-connections", courier_connections.ConnectionsView, "courier-connections"),
    route(
        "courier-connections/<str:connection_id>",
        courier_connections.ConnectionView,
        "courier-connection",
    ),
]

urlpatterns.append(re_path(r"^.*$", NotFoundView.as_view()))
