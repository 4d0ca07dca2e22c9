"""Signals about places.

``places_changed`` (``codes``: division codes): records lying in these places were written in sets
(``bulk_create``, ``QuerySet.update``), which send no model signals. The modules that keep figures
by place (``insight.receivers``) recompute those places. Send it through ``places_touched``.
"""

from collections.abc import Iterable

from django.dispatch import Signal

places_changed = Signal()


def places_touched(codes: Iterable[str | None]) -> None:
    codes = sorted({c for c in codes if c})
    if codes:
        places_changed.send(sender=None, codes=codes)
