"""Signals of the registry, for modules that depend on it (visits, later alerts) without it
depending on them."""

from django.dispatch import Signal

# Sent after a child's derived categories changed: sender=Child, child, gained, lost, on.
categories_changed = Signal()

# Sent after a child's record was saved through the registry's services: sender=Child, child, actor.
child_changed = Signal()
