"""``__within``: a division code and every code below it, as a range an index serves.

Division codes are digit strings whose prefix is their parent (``341623`` → ``341623102`` →
``341623102201``). "In the region 341623" is ``'341623' <= code < '341624'``: unlike
``LIKE '341623%'``, which PostgreSQL can serve from an index only in the ``C`` collation, a range
uses the column's ordinary b-tree index under any collation and keeps its order for ``ORDER BY``,
so scoping costs what the region holds, not what the province holds.

    Child.objects.filter(region_code__within="341623")
"""

from __future__ import annotations

from django.db.models import CharField, Lookup
from django.db.models.lookups import StartsWith


def upper_bound(code: str) -> str | None:
    """The first code after every code under ``code`` (``341623`` → ``341624``); None when there is no
    such code of the same length (not digits, or all nines)."""
    if not code.isdigit():
        return None
    upper = str(int(code) + 1).zfill(len(code))
    return upper if len(upper) == len(code) else None


@CharField.register_lookup
class Within(Lookup):
    lookup_name = "within"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        code = str(self.rhs)
        upper = upper_bound(code)
        if upper is None:  # not a division code: a prefix match
            return StartsWith(self.lhs, self.rhs).as_sql(compiler, connection)
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, code, *lhs_params, upper]
