"""Signals of the SLA engine for apps above (the webhooks); see tickets/signals.py."""

from django.dispatch import Signal

# sender=SlaNotice, notice=the warning or breach notice just recorded, once per ticket and clock
sla_notice = Signal()
