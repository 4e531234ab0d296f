"""The vendor's return instructions are kept in Finnish and in English; the text kept so far was
English, so it moves to the English field."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rma", "0002_outbound_mail_from_outbox")]

    operations = [
        migrations.RenameField("rma", "return_instructions", "return_instructions_en"),
        migrations.AlterField(
            "rma",
            "return_instructions_en",
            models.TextField(blank=True, verbose_name="return instructions in English"),
        ),
        migrations.AddField(
            "rma",
            "return_instructions_fi",
            models.TextField(blank=True, verbose_name="return instructions in Finnish"),
        ),
    ]
