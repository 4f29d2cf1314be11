from django.urls import path, re_path

from shipdesk.api import NotFoundView
from tracking.api import couriers, edd, pod, views

BY_ID = "<str:tracking_id>"
BY_NUMBER = "<str:slug>/<str:tracking_number>"

urlpatterns = [
    path("trackings", views.TrackingListView.as_view(), name="api-trackings"),
    path(
        "estimated-delivery-date/predict-batch",
        edd.PredictBatchView.as_view(),
        name="api-edd-predict-batch",
    ),
    path("couriers", couriers.CourierListView.as_view(), name="api-couriers"),
    path("couriers/all", couriers.AllCouriersView.as_view(), name="api-couriers-all"),
    path("couriers/detect", couriers.CourierDetectView.as_view(), name="api-couriers-detect"),
]
for suffix, key in ((BY_ID, "id"), (BY_NUMBER, "number")):
    urlpatterns += [
        path(
            f"trackings/{suffix}", views.TrackingDetailView.as_view(), name=f"api-tracking-by-{key}"
        ),
        path(
            f"trackings/{suffix}/retrack", views.RetrackView.as_view(), name=f"api-retrack-by-{key}"
        ),
        path(
            f"trackings/{suffix}/mark-as-completed",
            views.MarkCompletedView.as_view(),
            name=f"api-complete-by-{key}",
        ),
        path(
            f"trackings/{suffix}/proof-of-delivery",
            pod.ProofOfDeliveryView.as_view(),
            name=f"api-pod-by-{key}",
        ),
        path(
            f"trackings/{suffix}/proof-of-delivery/letter",
            pod.ProofOfDeliveryLetterView.as_view(),
            name=f"api-pod-letter-by-{key}",
        ),
        path(
            f"last_checkpoint/{suffix}",
            views.LastCheckpointView.as_view(),
            name=f"api-last-checkpoint-by-{key}",
        ),
        path(
            f"notifications/{suffix}",
            views.NotificationView.as_view(),
            name=f"api-notifications-by-{key}",
        ),
        path(
            f"notifications/{suffix}/add",
            views.NotificationAddView.as_view(),
            name=f"api-notifications-add-by-{key}",
        ),
        path(
            f"notifications/{suffix}/remove",
            views.NotificationRemoveView.as_view(),
            name=f"api-notifications-remove-by-{key}",
        ),
    ]
urlpatterns.append(re_path(r"^.*$", NotFoundView.as_view()))
