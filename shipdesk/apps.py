from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ShipdeskConfig(AppConfig):
    name = "shipdesk"
    verbose_name = "shipdesk"

    def ready(self):
        from shipdesk.roles import managers_grant_permissions

        # After every migrate, so Managers can also administer models added since.
        post_migrate.connect(managers_grant_permissions, dispatch_uid="shipdesk-managers")
