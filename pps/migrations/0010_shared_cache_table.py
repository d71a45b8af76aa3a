"""The table of the shared cache (settings.CACHES, Django's DatabaseCache), made here so that a
fresh clone, the demo and CI need no `createcachetable` step."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("pps", "0009_second_factor_enrolment")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
