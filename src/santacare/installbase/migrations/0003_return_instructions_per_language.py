"""The vendor's return instructions are kept in Finnish and in English; the text kept so far was
English, so it moves to the English field."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("installbase", "0002_coverage_choices_from_calendars")]

    operations = [
        migrations.RenameField("vendor", "return_instructions", "return_instructions_en"),
        migrations.AlterField(
            "vendor",
            "return_instructions_en",
            models.TextField(blank=True, verbose_name="return instructions in English"),
        ),
        migrations.AddField(
            "vendor",
            "return_instructions_fi",
            models.TextField(blank=True, verbose_name="return instructions in Finnish"),
        ),
    ]
