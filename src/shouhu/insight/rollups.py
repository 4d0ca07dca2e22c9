"""The dashboard figures kept as rollups: one definition per figure, computed per place.

Counting a province's children, visits and overdue work from the live tables takes seconds at a
million children (tests/bench/dashboard.py measures both); a dashboard instead sums ``Tally`` rows
under a code prefix: its villages' rows for a township, its townships' for a county, its counties'
for a province (layers 0, 1 and 2: each the one below summed).
Each figure below is defined once, as the records it counts and where each record lies; the same
definition serves three paths, so they cannot disagree:

- ``refresh(codes)``: a change marks its place dirty (``mark``, from the receivers in
  ``receivers.py``); at the transaction's commit the dirty places' rows are recomputed from scratch —
  a village holds a few hundred records, so this is cheap and exact, whatever the change was;
- ``reconcile(on=…)``: the nightly rebuild of every row, one ``INSERT … SELECT`` per figure (age bands
  move with the date alone; writes that bypass the signals are caught here);
- ``period_live``: the days of a period that cut a month are counted live, since period figures are
  kept by month.

Figures of a period (registrations, exits, category changes, visits due and recorded, sessions,
cases closed) are kept by month; open work and open alerts by the day they fall due, so "overdue"
(due before now) is the rows before today plus a live count of today's; the rest as they stand, with
the age bands counted for ``RollupState.ages_on``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import OperationalError, connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Length, Substr, TruncDate, TruncMonth
from django.utils import timezone

from .models import Layer, RollupState, Tally

logger = logging.getLogger(__name__)

TOWNSHIP_LENGTH = 9
COUNTY_LENGTH = 6

# Age bands as county platforms report them: preschool, compulsory schooling, 14–16, the last year.
AGE_BANDS = (("0–5", 0, 5), ("6–13", 6, 13), ("14–16", 14, 16), ("17", 17, 17))


def born_after(today: dt.date, years: int) -> dt.date:
    """The birth date of a child who turns ``years`` today (29 February → 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def _local_day(field: str):
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def _month(expr):
    return TruncMonth(expr, output_field=DateField())


NO_DAY = Cast(Value(None), output_field=DateField())
NO_KEY = Value("", output_field=CharField())


@dataclass(frozen=True)
class Figure:
    """One figure: ``records(on)`` is a queryset of what is counted, annotated with ``r_code`` (the
    place), ``r_key`` and ``r_day``; ``when`` is the date lookup of figures kept by month."""

    name: str
    records: Callable[[dt.date], QuerySet]
    when: str | None = None
    first: str | None = None  # a date to keep the oldest of (open alerts: how long they have waited)

    @property
    def periodic(self) -> bool:
        return self.when is not None


def _children():
    from shouhu.children.models import Child

    return Child.objects.filter(exited_on__isnull=True)


def _children_figure(on):
    return _children().annotate(r_code=F("region_code"), r_key=NO_KEY, r_day=NO_DAY)


def _categories(on):
    from shouhu.children.models import ChildCategory

    return ChildCategory.objects.filter(child__exited_on__isnull=True).annotate(
        r_code=F("child__region_code"), r_key=F("category_id"), r_day=NO_DAY
    )


def _difficulty(on):
    from shouhu.children import classify
    from shouhu.children.models import ChildCategory

    held = ChildCategory.objects.filter(child_id=OuterRef("pk"), category_id__in=classify.DIFFICULTY)
    return _children().filter(Exists(held)).annotate(r_code=F("region_code"), r_key=NO_KEY, r_day=NO_DAY)


def _ages(on):
    # Age ``low``..``high`` on ``on``: born after the day they would turn high + 1, on or before low.
    band = Case(
        *[
            When(
                birth_date__gt=born_after(on, high + 1),
                birth_date__lte=born_after(on, low),
                then=Value(label),
            )
            for label, low, high in AGE_BANDS
        ],
        default=Value(None),
        output_field=CharField(),
    )
    return _children().annotate(r_code=F("region_code"), r_key=band, r_day=NO_DAY).filter(r_key__isnull=False)


def _open_work(on):
    from shouhu.escalation.models import Status, WorkItem
    from shouhu.visits.services import VISIT_KINDS

    return WorkItem.objects.filter(status=Status.OPEN).annotate(
        r_code=F("region_code"),
        r_key=Case(
            When(kind__in=VISIT_KINDS, then=Value("visit")), default=Value("other"), output_field=CharField()
        ),
        r_day=_local_day("due_at"),
    )


def open_work_late_today(*, prefix: str, day_start: dt.datetime, now: dt.datetime):
    """Open work of ``prefix`` due today and already late: overdue now, though the rollups (which count
    what was due before today) do not count it yet."""
    from shouhu.escalation.models import Status, WorkItem

    return WorkItem.objects.filter(
        status=Status.OPEN, due_at__gte=day_start, due_at__lt=now, region_code__within=prefix
    )


def open_alerts_late_today(*, prefix: str, day_start: dt.datetime, now: dt.datetime):
    """Open alerts of ``prefix`` whose item fell due today and is already late (as
    ``open_work_late_today``)."""
    from shouhu.cases.models import Alert, AlertStatus

    return Alert.objects.filter(
        status=AlertStatus.OPEN,
        region_code__within=prefix,
        work_item__due_at__gte=day_start,
        work_item__due_at__lt=now,
    )


def _open_alerts(on):
    from shouhu.cases.models import Alert, AlertStatus

    return Alert.objects.filter(status=AlertStatus.OPEN).annotate(
        r_code=F("region_code"), r_key=F("severity"), r_day=_local_day("work_item__due_at")
    )


def _open_cases(on):
    from shouhu.cases.models import Case as CaseRecord
    from shouhu.cases.models import CaseStatus

    return CaseRecord.objects.exclude(status=CaseStatus.CLOSED).annotate(
        r_code=F("region_code"), r_key=NO_KEY, r_day=NO_DAY
    )


def _reports(on):
    from shouhu.cases.models import Report

    # A report is the village's when it names one, otherwise its township's (as the lists place it).
    return Report.objects.annotate(
        r_code=Coalesce("village_id", "township_id"), r_key=F("status"), r_day=NO_DAY
    )


def _registered(on):
    return _children().annotate(r_code=F("region_code"), r_key=NO_KEY, r_day=_month(_local_day("created_at")))


def _exited(on):
    from shouhu.children.models import Child

    return Child.objects.filter(exited_on__isnull=False).annotate(
        r_code=F("region_code"), r_key=NO_KEY, r_day=_month("exited_on")
    )


def _category_events(gained: bool):
    def records(on):
        from shouhu.children.models import CategoryEvent

        return CategoryEvent.objects.filter(gained=gained).annotate(
            r_code=F("child__region_code"), r_key=NO_KEY, r_day=_month("on")
        )

    return records


def _visits_due(which: str):
    def records(on):
        from shouhu.escalation.models import Status, WorkItem
        from shouhu.visits.services import VISIT_KINDS

        qs = WorkItem.objects.filter(kind__in=VISIT_KINDS)
        if which == "due":
            qs = qs.exclude(status=Status.CANCELLED)
        elif which == "on_time":
            qs = qs.filter(status=Status.DONE, done_at__lte=F("due_at"))
        else:
            qs = qs.filter(status=Status.DONE, done_at__gt=F("due_at"))
        return qs.annotate(r_code=F("region_code"), r_key=NO_KEY, r_day=_month(_local_day("due_at")))

    return records


def _recorded(on):
    from shouhu.visits.models import Visit

    return Visit.objects.annotate(r_code=F("region_code"), r_key=NO_KEY, r_day=_month("visited_on"))


def _sessions(on):
    from shouhu.visits.models import ActivitySession

    return ActivitySession.objects.annotate(
        r_code=F("home__village_id"), r_key=NO_KEY, r_day=_month("held_on")
    )


def _cases_closed(on):
    from shouhu.cases.models import Case as CaseRecord

    return CaseRecord.objects.filter(closed_at__isnull=False).annotate(
        r_code=F("region_code"), r_key=NO_KEY, r_day=_month(_local_day("closed_at"))
    )


FIGURES: dict[str, Figure] = {
    f.name: f
    for f in (
        Figure("children", _children_figure),
        Figure("category", _categories),
        Figure("difficulty", _difficulty),
        Figure("age", _ages),
        Figure("open", _open_work),
        Figure("alert", _open_alerts, first="opened_at"),
        Figure("case_open", _open_cases),
        Figure("report", _reports),
        Figure("registered", _registered, when="created_at__date"),
        Figure("exited", _exited, when="exited_on"),
        Figure("gained", _category_events(True), when="on"),
        Figure("lost", _category_events(False), when="on"),
        Figure("visit_due", _visits_due("due"), when="due_at__date"),
        Figure("visit_on_time", _visits_due("on_time"), when="due_at__date"),
        Figure("visit_late", _visits_due("late"), when="due_at__date"),
        Figure("recorded", _recorded, when="visited_on"),
        Figure("sessions", _sessions, when="held_on"),
        Figure("case_closed", _cases_closed, when="closed_at__date"),
    )
}
PERIODIC = tuple(name for name, f in FIGURES.items() if f.periodic)
BY_DUE_DAY = ("open", "alert")


def _grouped(figure: Figure, qs: QuerySet) -> QuerySet:
    first = Min(figure.first) if figure.first else Cast(Value(None), output_field=DateTimeField())
    return qs.values("r_code", "r_key", "r_day").annotate(r_n=Count("pk"), r_first=first).order_by()


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


COLUMNS = ", ".join(_q(c) for c in ("layer", "code", "figure", "key", "day", "n", "first"))


def _insert(layer: int, figure: str, qs: QuerySet) -> None:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            # Names quoted by the backend; ``sql`` compiled by the ORM with its values as parameters.
            f"INSERT INTO {_q(Tally._meta.db_table)} ({COLUMNS}) "  # nosec
            f"SELECT %s, r_code, %s, r_key, r_day, r_n, r_first FROM ({sql}) AS s",
            [layer, figure, *params],
        )


def _lock(wait: str | None = None) -> None:
    """Serialise rewrites of the rollups (readers are never blocked): two refreshes of one village
    at once would otherwise both insert its rows. ``wait`` bounds the wait (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if wait:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [wait])
            cursor.execute(f"LOCK TABLE {_q(Tally._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE")
            if wait:
                cursor.execute("SELECT set_config('lock_timeout', '0', true)")


# Each summing layer: the length of the codes it sums by, read from the layer below it.
SUM_LENGTH = {Layer.TOWNSHIP: TOWNSHIP_LENGTH, Layer.COUNTY: COUNTY_LENGTH}


def _group_of(code: str, length: int) -> str:
    return code[:length] if len(code) >= length else code


def _sums(layer: Layer, groups: Iterable[str] | None, figures: Iterable[str] | None = None) -> None:
    """Layer ``layer``: the layer below summed by the code's first digits (township, then county);
    records kept above that level stay at their own code."""
    length = SUM_LENGTH[layer]
    group = Case(
        When(code_length__gte=length, then=Substr("code", 1, length)),
        default=F("code"),
        output_field=CharField(),
    )
    rows = Tally.objects.filter(layer=layer - 1)
    old = Tally.objects.filter(layer=layer)
    if figures is not None:
        rows, old = rows.filter(figure__in=list(figures)), old.filter(figure__in=list(figures))
    if groups is not None:
        groups = sorted(set(groups))
        if not groups:
            return
        where = Q()
        for g in groups:
            where |= Q(code__within=g) if len(g) >= length else Q(code=g)
        rows, old = rows.filter(where), old.filter(code__in=groups)
    old.delete()
    qs = (
        rows.annotate(code_length=Length("code"), g=group)
        .values("g", "figure", "key", "day")
        .annotate(total=Sum("n"), oldest=Min("first"))
        .order_by()
    )
    if groups is not None:
        qs = qs.filter(g__in=groups)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            # As in _insert (bandit: B608).
            f"INSERT INTO {_q(Tally._meta.db_table)} ({COLUMNS}) "  # nosec
            f"SELECT %s, g, figure, {_q('key')}, {_q('day')}, total, oldest FROM ({sql}) AS s",
            [int(layer), *params],
        )


def _all_sums(codes: Iterable[str] | None, figures: Iterable[str] | None = None) -> None:
    groups = None if codes is None else set(codes)
    for layer, length in SUM_LENGTH.items():
        groups = None if groups is None else {_group_of(c, length) for c in groups}
        _sums(layer, groups, figures)


def layer_for(code: str) -> Layer:
    """The layer a dashboard of ``code`` reads: its places' rows for a township or a village, its
    townships' for a county, its counties' above."""
    if len(code) >= TOWNSHIP_LENGTH:
        return Layer.PLACE
    return Layer.TOWNSHIP if len(code) >= COUNTY_LENGTH else Layer.COUNTY


def _in_code_order() -> None:
    """Rewrite the rows in (layer, code) order, so a region's rows lie together on disk: a province
    view then reads a few pages, not one page per row (PostgreSQL; SQLite keeps rowid order)."""
    if connection.vendor != "postgresql":
        return
    table = _q(Tally._meta.db_table)
    with connection.cursor() as cursor:
        # ``table`` is the model's table, quoted (bandit: B608).
        cursor.execute(f"CREATE TEMPORARY TABLE rollup_rows ON COMMIT DROP AS SELECT * FROM {table}")  # nosec
        cursor.execute(f"DELETE FROM {table}")  # nosec B608
        cursor.execute(f"INSERT INTO {table} SELECT * FROM rollup_rows ORDER BY layer, code, figure")  # nosec
        cursor.execute("DROP TABLE rollup_rows")


def ages_on() -> dt.date:
    state = RollupState.objects.filter(pk=1).first()
    return state.ages_on if state else timezone.localdate()


def refresh(codes: Iterable[str], *, wait: str | None = None) -> int:
    """Recompute every row of the places ``codes`` (and of their townships and counties) from
    scratch."""
    codes = sorted({c for c in codes if c})
    if not codes:
        return 0
    with transaction.atomic():
        _lock(wait)
        on = ages_on()
        for i in range(0, len(codes), 500):
            chunk = codes[i : i + 500]
            Tally.objects.filter(layer=Layer.PLACE, code__in=chunk).delete()
            for figure in FIGURES.values():
                _insert(
                    Layer.PLACE, figure.name, _grouped(figure, figure.records(on).filter(r_code__in=chunk))
                )
        _all_sums(codes)
    return len(codes)


def reconcile(*, on: dt.date | None = None) -> dict[str, int]:
    """Rebuild every row for the day ``on`` (the nightly job, after the day's other work)."""
    on = on or timezone.localdate()
    with transaction.atomic():
        _lock()
        Tally.objects.all().delete()
        for figure in FIGURES.values():
            _insert(Layer.PLACE, figure.name, _grouped(figure, figure.records(on)))
        _all_sums(None)
        _in_code_order()
        RollupState.objects.update_or_create(pk=1, defaults={"ages_on": on, "reconciled_at": timezone.now()})
        rows = Tally.objects.count()
    _pending().clear()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The rows just replaced would otherwise stay in the index until autovacuum, and a province
        # view would visit their pages too.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {_q(Tally._meta.db_table)}")
    return {"rows": rows}


def refresh_ages(*, on: dt.date) -> None:
    """Move the age bands to ``on`` (the first dashboard of a day the nightly job has not reached)."""
    with transaction.atomic():
        _lock()
        state = RollupState.objects.select_for_update().filter(pk=1).first()
        if state is None or state.ages_on == on:
            return
        Tally.objects.filter(figure="age").delete()
        figure = FIGURES["age"]
        _insert(Layer.PLACE, figure.name, _grouped(figure, figure.records(on)))
        _all_sums(None, figures=["age"])
        state.ages_on = on
        state.save(update_fields=["ages_on"])


# --- marking places dirty: recomputed when the transaction commits --------------------------------

_local = threading.local()


def _pending() -> set[str]:
    if not hasattr(_local, "codes"):
        _local.codes = set()
    return _local.codes


def flush_pending() -> int:
    """Recompute the places marked dirty. While the nightly rebuild holds the rollups (minutes at a
    million children) a user's save does not wait for it: the places stay pending in this process,
    recomputed at its next change or dashboard read, at the latest by the next night's rebuild."""
    codes = set(_pending())
    _pending().clear()
    if not codes:
        return 0
    try:
        return refresh(codes, wait="3s")
    except OperationalError:
        _pending().update(codes)
        logger.warning("rollups busy (nightly rebuild): %d places left pending", len(codes))
        return 0


@contextlib.contextmanager
def rebuilding():
    """Within: places are marked but not recomputed, since a ``reconcile`` follows and rebuilds every
    row (the nightly job, whose schedules and rules touch most villages at once)."""
    _local.rebuilding = True
    try:
        yield
    finally:
        _local.rebuilding = False


def mark(*codes: str | None) -> None:
    """Note places whose figures changed; their rows are recomputed when the transaction commits
    (at once outside a transaction). A dashboard read in the same transaction recomputes them first."""
    codes = {c for c in codes if c}
    if not codes:
        return
    pending = _pending()
    first = not pending
    pending.update(codes)
    if getattr(_local, "rebuilding", False):
        return
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        flush_pending()
        return
    # A callback recomputes whatever is pending when it runs: one is enough until it has run, unless a
    # rolled-back savepoint dropped it.
    if first or not any(entry[1] is flush_pending for entry in conn.run_on_commit):
        transaction.on_commit(flush_pending, robust=True)


def ensure_current(today: dt.date | None = None) -> None:
    """Before reading: pending places recomputed, the rollups built once, the age bands of today."""
    today = today or timezone.localdate()
    flush_pending()
    state = RollupState.objects.filter(pk=1).first()
    if state is None:
        with transaction.atomic():
            _lock()
            if not RollupState.objects.filter(pk=1).exists():
                reconcile(on=today)
    elif state.ages_on != today:
        refresh_ages(on=today)


def period_live(
    *, prefix: str, start: dt.date, end: dt.date, names: Iterable[str] = PERIODIC
) -> dict[str, int]:
    """Figures of a period counted live over [start, end] (the days that cut a month)."""
    out = {}
    on = ages_on()
    for name in names:
        figure = FIGURES[name]
        qs = figure.records(on).filter(r_code__within=prefix)
        qs = qs.filter(**{f"{figure.when}__gte": start, f"{figure.when}__lte": end})
        out[name] = qs.count()
    return out


def computed(*, on: dt.date) -> list[tuple]:
    """Every layer-0 row as a from-scratch computation gives it (the property test's reference)."""
    rows = []
    for figure in FIGURES.values():
        for r in _grouped(figure, figure.records(on)):
            rows.append((r["r_code"], figure.name, r["r_key"], r["r_day"], r["r_n"], r["r_first"]))
    return sorted(rows, key=repr)


def stored(layer: int = Layer.PLACE) -> list[tuple]:
    rows = Tally.objects.filter(layer=layer).values_list("code", "figure", "key", "day", "n", "first")
    return sorted(rows, key=repr)


__all__ = [
    "AGE_BANDS",
    "FIGURES",
    "PERIODIC",
    "born_after",
    "computed",
    "ensure_current",
    "mark",
    "period_live",
    "reconcile",
    "refresh",
    "stored",
]
