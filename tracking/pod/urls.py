from django.urls import path, re_path

from tracking.pod import views

urlpatterns = [
    path(
        "api/v1/shipments/<str:shipment_uuid>/pod",
        views.PodView.as_view(),
        name="pod-document",
    ),
    path(
        "api/v1/shipments/<str:shipment_uuid>/proof",
        views.ProofView.as_view(),
        name="pod-proof",
    ),
    path(
        ".well-known/shipdesk-passport.json",
        views.PublicKeysView.as_view(),
        name="pod-public-keys",
    ),
    re_path(r"^api/v1/", views.NotFoundView.as_view()),
]
