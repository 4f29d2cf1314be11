from django.apps import AppConfig


class ShipdeskConfig(AppConfig):
    name = "shipdesk"
    verbose_name = "shipdesk"
