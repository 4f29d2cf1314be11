from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.urls import register_converter


class ShipdeskConfig(AppConfig):
    name = "shipdesk"
    verbose_name = "shipdesk"

    def ready(self):
        from shipdesk.converters import RecordIdConverter
        from shipdesk.models import APIKey, Partner
        from shipdesk.roles import managers_grant_permissions
        from shipdesk.services import api_keys_forget

        register_converter(RecordIdConverter, "id")

        # After every migrate, so Managers can also administer models added since.
        post_migrate.connect(managers_grant_permissions, dispatch_uid="shipdesk-managers")
        # A changed key or partner is read afresh at once in this process (others: see
        # shipdesk.services.api_key_authenticate).
        for model in (APIKey, Partner):
            for signal in (post_save, post_delete):
                signal.connect(api_keys_forget, sender=model, dispatch_uid=f"api-keys-{model}")
