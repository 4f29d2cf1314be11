"""/postmen/v3/…: labels, manifests, rates, address validations and shipper accounts; anything
else answers Postmen's 404."""

from django.urls import path, re_path

from mailorders.api.postmen import views
from shipdesk.api import NotFoundView

urlpatterns = [
    path("labels", views.LabelListView.as_view(), name="postmen-labels"),
    path("labels/<id:pk>", views.LabelDetailView.as_view(), name="postmen-label"),
    path("labels/<id:pk>/file", views.LabelFileView.as_view(), name="postmen-label-file"),
    path("cancel-labels", views.CancelLabelView.as_view(), name="postmen-cancel-labels"),
    path("manifests", views.ManifestListView.as_view(), name="postmen-manifests"),
    path("manifests/<id:pk>", views.ManifestDetailView.as_view(), name="postmen-manifest"),
    path("manifests/<id:pk>/file", views.ManifestFileView.as_view(), name="postmen-manifest-file"),
    path("rates", views.RateListView.as_view(), name="postmen-rates"),
    path("rates/<id:pk>", views.RateDetailView.as_view(), name="postmen-rate"),
    path(
        "address-validations",
        views.AddressValidationView.as_view(),
        name="postmen-address-validations",
    ),
    path("shipper-accounts", views.ShipperAccountListView.as_view(), name="postmen-accounts"),
    path(
        "shipper-accounts/<id:pk>",
        views.ShipperAccountDetailView.as_view(),
        name="postmen-account",
    ),
    re_path(r"^.*$", NotFoundView.as_view(dialect="postmen")),
]
