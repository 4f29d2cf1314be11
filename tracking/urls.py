from django.urls import path

from tracking.views import attention, dashboard, search

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("shipments/", search.search, name="shipment-search"),
    path("attention/", attention.attention, name="attention"),
]
