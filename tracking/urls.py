from django.urls import path

from tracking.views import dashboard

urlpatterns = [
    path("", dashboard.home, name="home"),
]
