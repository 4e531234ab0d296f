# New Year's Eve is a working day in Finland; earlier versions seeded it as a day off of the
# office-hours calendar. Only that seeded row is removed: a day off an admin entered under any
# other name stays.

from django.db import migrations

SEEDED_NAME = "New Year's Eve"


def remove_seeded_new_years_eve(apps, schema_editor):
    CalendarException = apps.get_model("calendars", "CalendarException")
    CalendarException.objects.filter(
        calendar="office_hours", day__month=12, day__day=31, is_open=False, name=SEEDED_NAME
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('calendars', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(remove_seeded_new_years_eve, migrations.RunPython.noop),
    ]
