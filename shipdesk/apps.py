from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.urls import register_converter


class ShipdeskConfig(AppConfig):
    name = "shipdesk"
    verbose_name = "shipdesk"

    def ready(self):
        from shipdesk.converters import RecordIdConverter
        from shipdesk.roles import managers_grant_permissions

        register_converter(RecordIdConverter, "id")

        # After every migrate, so Managers can also administer models added since.
        post_migrate.connect(managers_grant_permissions, dispatch_uid="shipdesk-managers")
