from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The default cache lives in the database (shared by every process): make its table.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("shipdesk", "0002_apikey")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
