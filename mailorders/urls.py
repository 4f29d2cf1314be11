"""Pages and machine endpoints of mail orders outside the partner API (under /mail/), and a
label's PDF under the page of the shipment it created."""

from django.urls import include, path

from mailorders import views
from mailorders.api.imb import IMbFeedView
from mailorders.api.provider_webhooks import ProviderWebhookView

urlpatterns = [
    path("mail/", views.order_list, name="mail-list"),
    path("mail/imb-feed", IMbFeedView.as_view(), name="mailorders-imb-feed"),
    path("mail/print/", include("mailorders.print_urls")),
    path("mail/<str:order_id>/", views.order_detail, name="mail-detail"),
    # An upstream print-mail provider's webhooks (signed with its secret, not a partner's key).
    path(
        "print-mail/provider-webhooks/<str:provider>",
        ProviderWebhookView.as_view(),
        name="print-provider-webhook",
    ),
    # On the page of the shipment the label created (tracking's /shipments/<public_id>/).
    path(
        "shipments/<str:public_id>/labels/<str:label_id>.pdf",
        views.shipment_label_pdf,
        name="shipment-label-pdf",
    ),
]
