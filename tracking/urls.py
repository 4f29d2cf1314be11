from django.urls import path

from tracking.views import attention, dashboard, search, shipment

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("shipments/", search.search, name="shipment-search"),
    path("attention/", attention.attention, name="attention"),
    path("shipments/<str:public_id>/", shipment.detail, name="shipment-detail"),
    path("shipments/<str:public_id>/retrack/", shipment.retrack, name="shipment-retrack"),
    path("shipments/<str:public_id>/complete/", shipment.complete, name="shipment-complete"),
]
