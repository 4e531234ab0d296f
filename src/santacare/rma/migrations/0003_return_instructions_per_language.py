"""The vendor's return instructions are kept in Finnish and in English. The text kept so far was
English: it becomes the English field, in the same column, so the release before this one
still reads it during an upgrade; the Finnish column has a database default for its inserts."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rma", "0002_outbound_mail_from_outbox")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField("rma", "return_instructions", "return_instructions_en"),
                migrations.AlterField(
                    "rma",
                    "return_instructions_en",
                    models.TextField(
                        blank=True,
                        db_column="return_instructions",
                        verbose_name="return instructions in English",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            "rma",
            "return_instructions_fi",
            models.TextField(
                blank=True, db_default="", verbose_name="return instructions in Finnish"
            ),
        ),
    ]
