"""Reads of the access log and of the change history, scoped to the reader's territory.

Readers are those ``access.can_read_audit`` admits (county staff, civil affairs and administrators
of a county or above). Everything here starts from the rows the reader may see and narrows from there,
so a filter can never widen what a reader sees.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, F, Q, QuerySet, Value
from django.utils.translation import gettext_lazy as _

from shouhu.accounts import access
from shouhu.accounts.models import User

from . import redact
from .models import AccessLog

UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
CODE_TEXT = re.compile(r"^\d{2,12}$")


def access_log_visible_to(*, user: User) -> QuerySet[AccessLog]:
    """The log rows ``user`` may read.

    A row belongs to the territory of the child it names (``region_code``); a row naming no child (a
    list or a search) belongs to the territory of the user who made it, so that a county sees what its
    own staff searched for. Administrators with no territory (superusers) read everything.
    """
    if not access.can_read_audit(user):
        return AccessLog.objects.none()
    if user.is_superuser:
        return AccessLog.objects.all()
    code = access.territory_code(user)
    if not code:
        return AccessLog.objects.none()
    return AccessLog.objects.filter(
        Q(region_code__within=code) | Q(region_code="", user__region__code__within=code)
    )


@dataclass(frozen=True)
class LogFilter:
    """What a reader searches the log for. Empty values do not filter."""

    username: str = ""
    child: object = None
    action: str = ""
    channel: str = ""
    region: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    searched: str = ""  # an ID or mobile number: the rows whose path or query held it (hashed)


def _people(text: str) -> Q:
    """A person as a reader names them: part of the full name or of the login name."""
    return Q(username__icontains=text) | Q(full_name__icontains=text)


def _children(user: User, child: object) -> Q:
    """A child by id, or by name (or pinyin, initials: the children list's search) among those the
    reader may see."""
    from shouhu.children.selectors import search_filter

    text = str(child).strip()
    if UUID_TEXT.match(text):
        return Q(pk=text)
    ids = access.children_visible_to(user).filter(search_filter(q=text)).values("pk")
    return Q(pk__in=ids)


def _places(user: User, region: str) -> Q:
    """A place by code (and everything below it), or by name: the places of that name in the reader's
    territory, as a township or village picker names them."""
    text = region.strip()
    if CODE_TEXT.match(text):
        return Q(region_code__within=text)
    places = access.regions_visible_to(user)
    township, _slash, village = (n.strip() for n in text.rpartition("/"))
    if township:  # "township / village", as the picker lists villages
        places = places.filter(parent__name__contains=township)
    codes = list(places.filter(name__contains=village).values_list("code", flat=True)[:50])
    found = Q(pk__in=[])
    for code in codes:
        found |= Q(region_code__within=code)
    return found


def access_log_search(*, user: User, wanted: LogFilter) -> QuerySet[AccessLog]:
    rows = access_log_visible_to(user=user)
    if wanted.username:
        people = User.objects.filter(_people(wanted.username)).values("pk")
        rows = rows.filter(Q(username__icontains=wanted.username) | Q(user_id__in=people))
    if wanted.child:
        from shouhu.children.models import Child

        rows = rows.filter(child_id__in=Child.objects.filter(_children(user, wanted.child)).values("pk"))
    if wanted.action:
        rows = rows.filter(action=wanted.action)
    if wanted.channel:
        rows = rows.filter(channel=wanted.channel)
    if wanted.region:
        if CODE_TEXT.match(wanted.region.strip()):
            rows = rows.filter(
                Q(region_code__within=wanted.region.strip())
                | Q(region_code="", user__region__code__within=wanted.region.strip())
            )
        else:
            rows = rows.filter(_places(user, wanted.region))
    if wanted.date_from:
        rows = rows.filter(at__date__gte=wanted.date_from)
    if wanted.date_to:
        rows = rows.filter(at__date__lte=wanted.date_to)
    if wanted.searched:
        held = Q(pk__in=[])
        for needle in redact.needles(wanted.searched):
            held |= Q(query__contains=needle) | Q(path__contains=needle)
        rows = rows.filter(held)
    return rows.order_by("-at", "-pk")


def child_names_for(*, user: User, ids: Iterable[object]) -> dict[Any, str]:
    """Names of the children among ``ids`` that ``user`` may see; others stay an id."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(access.children_visible_to(user).filter(pk__in=wanted).values_list("pk", "name"))


# --- the change history -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One model whose django-simple-history table makes part of a child's file."""

    key: str
    label: object
    model_path: str  # app_label.ModelName
    child_field: str  # the column naming the child in the historical table


PARTS = (
    Part("child", _("儿童信息"), "children.Child", "id"),
    Part("parent", _("父母"), "children.Parent", "child_id"),
    Part("carer", _("受委托照料人"), "children.Carer", "child_id"),
    Part("contact", _("救助联系人"), "children.RescueContact", "child_id"),
    Part("visit", _("走访记录"), "visits.Visit", "child_id"),
    Part("basis", _("个人信息处理依据"), "privacy.DataBasis", "child_id"),
    Part("request", _("监护人查阅更正请求"), "privacy.GuardianRequest", "child_id"),
)
PARTS_BY_KEY = {p.key: p for p in PARTS}
# One row of ``changes_search``: when, part, kind, history id, child id, user id.
HistoryRow = tuple[dt.datetime, str, str, int, Any, Any]
KIND_LABELS = {"+": _("新增"), "~": _("修改"), "-": _("删除")}


def _model(part: Part) -> Any:
    """The part's model (Any: django-simple-history gives it its ``history`` at run time)."""
    from django.apps import apps

    return apps.get_model(part.model_path)


@dataclass(frozen=True)
class HistoryFilter:
    username: str = ""
    child: object = None
    part: str = ""
    kind: str = ""
    region: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass
class Change:
    """One row of the combined history: who changed which part of which child's file, and when."""

    when: dt.datetime
    part: str
    kind: str
    history_id: int
    child_id: object
    user_id: object
    username: str = ""
    person: str = ""  # the full name, else the login name
    child_name: str = ""
    fields: list[str] = field(default_factory=list)

    @property
    def part_label(self) -> str:
        return str(PARTS_BY_KEY[self.part].label)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


def changes_search(*, user: User, wanted: HistoryFilter) -> QuerySet[Any, HistoryRow] | None:
    """The history rows of children's files the reader may see, newest first, as one queryset of dicts
    (a UNION over the history tables): tuples ``(when, part, kind, history_id, child_id, user_id)``.

    A history row belongs to the territory of its child as the child is now.
    """
    from shouhu.children.models import Child

    if not access.can_read_audit(user):
        return None
    children = Child.objects.all()
    if not user.is_superuser:
        code = access.territory_code(user)
        if not code:
            return None
        children = children.filter(region_code__within=code)
    if wanted.region:
        children = children.filter(_places(user, wanted.region))
    if wanted.child:
        children = children.filter(_children(user, wanted.child))
    users = None
    if wanted.username:
        users = User.objects.filter(_people(wanted.username)).values("pk")
    queries: list[QuerySet[Any, HistoryRow]] = []
    for part in PARTS:
        if wanted.part and wanted.part != part.key:
            continue
        rows = _model(part).history.model.objects.filter(**{f"{part.child_field}__in": children.values("pk")})
        if users is not None:
            rows = rows.filter(history_user_id__in=users)
        if wanted.kind:
            rows = rows.filter(history_type=wanted.kind)
        if wanted.date_from:
            rows = rows.filter(history_date__date__gte=wanted.date_from)
        if wanted.date_to:
            rows = rows.filter(history_date__date__lte=wanted.date_to)
        queries.append(
            rows.order_by()
            .annotate(
                h_when=F("history_date"),
                h_part=Value(part.key, output_field=CharField()),
                h_kind=F("history_type"),
                h_child=F(part.child_field),
                h_user=F("history_user_id"),
            )
            .values_list("h_when", "h_part", "h_kind", "history_id", "h_child", "h_user")
        )
    if not queries:
        return None
    first, *rest = queries
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("-h_when", "-history_id")


def changes_detail(*, user: User, rows: Iterable[HistoryRow]) -> list[Change]:
    """Who, which child and which fields for a page of ``changes_search`` rows.

    Field names only, never values (as on the file page): the history must not become a way round
    the hidden fields. A bounded number of queries: two per part on the page, one for users, one for
    names.
    """
    changes = [Change(when, part, kind, hid, child, uid) for when, part, kind, hid, child, uid in rows]
    by_part: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        by_part[change.part].append(change)
    for key, items in by_part.items():
        model = _model(PARTS_BY_KEY[key])
        history = model.history.model.objects
        records = {r.history_id: r for r in history.filter(history_id__in=[c.history_id for c in items])}
        object_ids = {r.id for r in records.values()}
        latest = max(c.when for c in items)
        earlier: dict[object, list[Any]] = defaultdict(list)
        for r in history.filter(id__in=object_ids, history_date__lte=latest).order_by(
            "history_date", "history_id"
        ):
            earlier[r.id].append(r)
        for change in items:
            record = records.get(change.history_id)
            if record is None or change.kind != "~":
                continue
            chain = earlier[record.id]
            at = next((i for i, r in enumerate(chain) if r.history_id == record.history_id), 0)
            if at == 0:
                continue
            delta = record.diff_against(chain[at - 1])
            change.fields = [str(model._meta.get_field(n).verbose_name) for n in delta.changed_fields]
    people = User.objects.filter(pk__in={c.user_id for c in changes if c.user_id})
    names: dict[object, tuple[str, str]] = {
        pk: (username, full or username)
        for pk, username, full in people.values_list("pk", "username", "full_name")
    }
    children = child_names_for(user=user, ids={c.child_id for c in changes})
    for change in changes:
        change.username, change.person = names.get(change.user_id, ("", ""))
        change.child_name = children.get(change.child_id, "")
    return changes
