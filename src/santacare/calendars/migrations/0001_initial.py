# The calendars moved out of the SLA app into an app of their own, below tickets, so that R8 and
# the RMA dates can ask the same calendar as the SLA clocks. The table stays as it was: this
# changes Django's state only.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('sla', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='CalendarException',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('calendar', models.CharField(choices=[('office_hours', 'Office hours (Finnish business days)'), ('24x7', '24 × 7')], default='office_hours', max_length=20, verbose_name='calendar')),
                        ('day', models.DateField(verbose_name='day')),
                        ('is_open', models.BooleanField(default=False, help_text='Off by default; tick to make a day off a workday.', verbose_name='open')),
                        ('name', models.CharField(blank=True, max_length=100, verbose_name='name')),
                    ],
                    options={
                        'verbose_name': 'calendar exception',
                        'verbose_name_plural': 'calendar exceptions',
                        'ordering': ['calendar', 'day'],
                        'db_table': 'sla_calendarexception',
                        'constraints': [models.UniqueConstraint(fields=('calendar', 'day'), name='sla_exception_one_per_day')],
                    },
                ),
            ],
        ),
    ]
