"""Signals of the RMA life cycle for apps above (the webhooks); see tickets/signals.py."""

from django.dispatch import Signal

# sender=Rma, rma=the RMA after the step, old=its status before
rma_status_changed = Signal()
