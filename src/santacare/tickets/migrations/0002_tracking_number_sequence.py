from django.db import migrations

# Frozen copies of santacare.tickets.tracking's constants: a migration must not change meaning
# when the code it once imported does.
SEQUENCE_NAME = "tickets_tracking_number_seq"
FIRST_SEQUENCE_VALUE = 10000


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE_NAME} START WITH {FIRST_SEQUENCE_VALUE}"
        )
    else:
        apps.get_model("tickets", "TrackingCounter").objects.create(
            id=1, value=FIRST_SEQUENCE_VALUE - 1
        )


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE_NAME}")
    else:
        apps.get_model("tickets", "TrackingCounter").objects.filter(id=1).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(create_sequence, drop_sequence)]
