"""Signals of the registry, for modules that depend on it (visits, later alerts) without it
depending on them."""

import contextlib
from contextvars import ContextVar

from django.dispatch import Signal

# Sent after a child's derived categories changed: sender=Child, child, gained, lost, on.
categories_changed = Signal()

# Sent after a child's record was saved through the registry's services: sender=Child, child, actor.
child_changed = Signal()

# Sent after children were written as a set (an import's bulk path), where no per-row signal runs:
# sender=Child, ids (the children's primary keys), village_codes (the villages whose figures changed).
children_written = Signal()

# Sent when a child moved out of a household: sender=Household, household_id, child_id.
household_left = Signal()

# Inside ``batched()`` (an import), receivers that evaluate one child at a time collect the ids here
# instead; the importer then evaluates them together through the batch path.
_batch: ContextVar[set | None] = ContextVar("children_batch", default=None)


def deferred(child) -> bool:
    """True (and the child noted) when a batch is collecting changed children."""
    batch = _batch.get()
    if batch is None:
        return False
    batch.add(child.pk)
    return True


@contextlib.contextmanager
def batched():
    ids: set = set()
    token = _batch.set(ids)
    try:
        yield ids
    finally:
        _batch.reset(token)
