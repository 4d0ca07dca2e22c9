"""Signals of the visits module, for modules that read visits (the risk rules) without it depending
on them."""

from django.dispatch import Signal

# Sent after a visit (or a failed attempt) was stored: sender=Visit, visit.
visit_recorded = Signal()
