# The outbox moved out of the mail gateway into an app of its own; the table stays as it was, so
# this changes Django's state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('mailgate', '0001_initial'),
        ('tickets', '0004_out_of_contract'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='OutboundMail',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('to', models.JSONField(default=list, verbose_name='to')),
                        ('recipient', models.CharField(db_index=True, max_length=254, verbose_name='recipient')),
                        ('subject', models.CharField(max_length=998, verbose_name='subject')),
                        ('body', models.TextField(verbose_name='text')),
                        ('html_body', models.TextField(blank=True, verbose_name='HTML')),
                        ('message_id', models.CharField(max_length=255, unique=True, verbose_name='Message-ID')),
                        ('in_reply_to', models.CharField(blank=True, max_length=998)),
                        ('references', models.TextField(blank=True)),
                        ('auto_submitted', models.BooleanField(default=False)),
                        ('kind', models.CharField(default='notification', max_length=40, verbose_name='kind')),
                        ('state', models.CharField(choices=[('queued', 'Queued'), ('sent', 'Sent'), ('failed', 'Failed'), ('suppressed', 'Not sent: automatic-reply limit')], db_index=True, default='queued', max_length=10, verbose_name='state')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
                        ('ticket', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='outbound_mails', to='tickets.ticket')),
                    ],
                    options={
                        'verbose_name': 'outbound mail',
                        'verbose_name_plural': 'outbound mail',
                        'ordering': ['-created_at', '-id'],
                        'db_table': 'mailgate_outboundmail',
                        'indexes': [models.Index(fields=['state', 'next_attempt_at'], name='mailgate_ou_state_836092_idx'), models.Index(fields=['recipient', 'created_at'], name='mailgate_ou_recipie_0768b8_idx')],
                    },
                ),
            ],
        ),
    ]
