# The outbox moved to its own app (outbox.0001 takes over the table); the state forgets it here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('mailgate', '0001_initial'),
        ('outbox', '0001_initial'),
        ('rma', '0002_outbound_mail_from_outbox'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='OutboundMail')],
        ),
    ]
