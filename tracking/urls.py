from django.urls import path

from tracking.views import attention, dashboard, pod, search, shipment

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("shipments/", search.search, name="shipment-search"),
    path("attention/", attention.attention, name="attention"),
    path("shipments/<str:public_id>/", shipment.detail, name="shipment-detail"),
    path("shipments/<str:public_id>/retrack/", shipment.retrack, name="shipment-retrack"),
    path("shipments/<str:public_id>/complete/", shipment.complete, name="shipment-complete"),
    path("shipments/<str:public_id>/pod.pdf", pod.letter_pdf, name="shipment-pod-pdf"),
    path("shipments/<str:public_id>/pod/email/", pod.letter_email, name="shipment-pod-email"),
    path("shipments/<str:public_id>/pod/usps/", pod.usps_request, name="shipment-pod-usps"),
]
