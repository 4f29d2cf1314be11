"""Pages and machine endpoints of mail orders outside the partner API (under /mail/)."""

from django.urls import path

from mailorders.api.imb import IMbFeedView

urlpatterns = [
    path("mail/imb-feed", IMbFeedView.as_view(), name="mailorders-imb-feed"),
]
