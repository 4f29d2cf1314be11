"""The Agents and Managers groups, with the model permissions Managers need in admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGER_APPS = ("shipdesk", "tracking", "mailorders")
AGENT_PERMISSIONS = ("tracking.view_shipment", "tracking.view_checkpoint")


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now so we can grant them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    managers, _ = Group.objects.get_or_create(name="Managers")
    managers.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=MANAGER_APPS)
    )
    agents, _ = Group.objects.get_or_create(name="Agents")
    for dotted in AGENT_PERMISSIONS:
        app_label, codename = dotted.split(".")
        agents.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Agents", "Managers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("shipdesk", "0004_audit"),
        ("tracking", "0002_shipment_estimated_delivery_confidence"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
