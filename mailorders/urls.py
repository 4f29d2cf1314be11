"""Pages and machine endpoints of mail orders outside the partner API (under /mail/)."""

from django.urls import path

from mailorders import views
from mailorders.api.imb import IMbFeedView

urlpatterns = [
    path("mail/", views.order_list, name="mail-list"),
    path("mail/imb-feed", IMbFeedView.as_view(), name="mailorders-imb-feed"),
    path("mail/<str:order_id>/", views.order_detail, name="mail-detail"),
]
