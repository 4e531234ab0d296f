"""The database cache's table: the rate limits count there when no Redis is configured.

Created whatever CACHES says at migration time, so that a site moving from Redis to the database
later still finds its table. The name is settings.CACHE_TABLE, written out as migrations are
frozen.
"""

from django.core.management import call_command
from django.db import migrations

CACHE_TABLE = "santacare_cache"


def create_cache_table(apps, schema_editor):
    alias = schema_editor.connection.alias
    call_command("createcachetable", CACHE_TABLE, database=alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
