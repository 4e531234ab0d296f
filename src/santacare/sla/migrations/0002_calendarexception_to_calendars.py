# The calendars app took over the calendar exceptions' table (calendars.0001); the SLA app's state
# forgets the model here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('calendars', '0001_initial'),
        ('sla', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='CalendarException')],
        ),
    ]
