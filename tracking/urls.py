from django.urls import path

from tracking import views

urlpatterns = [
    path("", views.home, name="home"),
]
