"""The pages of the registry. Thin: each reads through ``children.selectors`` / ``accounts.access``,
writes through ``children.services`` and logs every opening of children's data."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET

from shouhu import jobs, versioning
from shouhu.accounts import access, emergency
from shouhu.accounts import selectors as account_selectors
from shouhu.audit.models import Action
from shouhu.audit.services import log_access
from shouhu.children import changes, selectors, services
from shouhu.children.models import Carer, Category, Child, Parent, RescueContact
from shouhu.privacy.services import photo_permitted
from shouhu.visits import permissions as visit_permissions

from .forms import BreakGlassForm, ChildFilterForm, ChildRecordForms

PAGE_SIZE = 50
GAPS_SHOWN = 300
HISTORY_SHOWN = 100


def healthz(request):
    """One entry per part (``shouhu.jobs.health``): ``database``, ``broker``, ``workers``, and the
    whole: "ok" (200), "degraded" (200: the broker or the workers are down, the site serves and
    background work waits) or "down" (503: the database does not answer; a load balancer takes the
    instance out). Never cached."""
    overall, parts = jobs.health()
    response = JsonResponse({"status": overall, **parts}, status=503 if overall == "down" else 200)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def home(request):
    """A role's home is its work: what is urgent, overdue and due today, each with its one action.
    Those who oversee an area (a township and above) keep their figures below the work."""
    from shouhu.visits import selectors as visit_selectors

    user = request.user
    today = visit_selectors.today_work(user=user)
    oversees = account_selectors.watches_director_gaps(user)
    context = {
        "today": today,
        "oversees": oversees,
        "region": user.region,
        "watches_gaps": oversees,
        "works_territory": visit_selectors.home_area(user) is not None,
    }
    children = selectors.children_list(user=user)
    context["total"] = children.count()
    if oversees:
        by_category = dict(
            children.order_by()
            .prefetch_related(None)
            .values_list("categories__category_id")
            .annotate(n=Count("pk", distinct=True))
        )
        # Figures, not a wall of zeros: a category nobody is in is left out.
        context["categories"] = [
            (c, by_category[c.code]) for c in Category.objects.all() if by_category.get(c.code)
        ]
        gaps = account_selectors.villages_without_director(user=user)
        context["gaps"] = list(gaps[:GAPS_SHOWN])
        context["gap_count"] = gaps.count()
        context["unstaffed"] = list(account_selectors.townships_without_supervisor(user=user))
    if not today.empty:
        log_access(request=request, action=Action.LIST)
    return render(request, "web/home.html", context)


@login_required
@require_GET
def child_list(request):
    user = request.user
    form = ChildFilterForm(request.GET, user=user)
    form.is_valid()  # an invalid filter is shown as an error and left out; the valid ones still apply
    wanted = {k: form.cleaned_data.get(k) or "" for k in ("q", "region", "category", "schooling")}
    children = selectors.children_list(user=user, **wanted)
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    grants = access.grants_once(user)
    for child in page.object_list:  # categories and risk are sensitive: a row shows them only to some
        child.seen = access.tiers_for(user, child, grants=grants)
    log_access(request=request, action=Action.SEARCH if wanted["q"] else Action.LIST)
    return render(
        request,
        "children/list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(wanted.values()),
            "may_break_glass": emergency.may_break_glass(user),
        },
    )


@login_required
@require_GET
def child_detail(request, pk):
    user = request.user
    child = selectors.child_file(user=user, pk=pk)
    seen = access.tiers_for(user, child)
    log_access(request=request, action=Action.BREAK_GLASS if seen.emergency else Action.VIEW, child=child)
    sensitive = seen.everything
    parents = {p.role: p for p in child.parents.all()}
    context = {
        "child": child,
        "sensitive": sensitive,
        "seen": seen,
        "shows": {
            name: seen.sees("child", name)
            for name in ("school", "address", "schooling", "parents", "carer", "contacts")
        },
        "emergency_until": emergency.opened_until(user, child) if seen.emergency else None,
        "can_edit": access.can_edit(user, child),
        "can_record_visit": visit_permissions.visits.can_record(user, child),
        "parents": [(_("父亲"), parents.get("father")), (_("母亲"), parents.get("mother"))],
        "carer": getattr(child, "carer", None),
        "history": change_history(child, seen=seen) if sensitive else [],
    }
    return render(request, "children/detail.html", context)


@login_required
@require_GET
def child_photo(request, pk):
    user = request.user
    child = access.get_child_for(user, pk)
    # The photo identifies the child: only those who see the full file see it, while consent stands.
    if not child.photo or not access.sees_sensitive_fields(user, child) or not photo_permitted(child):
        raise Http404
    try:
        fh = child.photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    log_access(request=request, action=Action.PHOTO, child=child)
    content_type = mimetypes.guess_type(child.photo.name)[0] or "application/octet-stream"
    response = FileResponse(fh, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def child_create(request):
    user = request.user
    if not access.can_create_children(user):
        raise Http404
    if request.method == "POST":
        record = ChildRecordForms(user=user, data=request.POST, files=request.FILES)
        if record.is_valid():
            started = timezone.now()
            try:
                child = services.child_register(actor=user, **record.service_arguments())
            except ValidationError as exc:
                record.add_service_errors(exc)
            else:
                log_access(request=request, action=Action.CREATE, child=child)
                said = [_("已登记 %(name)s 的档案。") % {"name": child.name}]
                categories = [str(m.category) for m in child.categories.select_related("category")]
                if categories:
                    said.append(
                        _("认定为：%(categories)s。")
                        % {"categories": pgettext("list separator", "、").join(categories)}
                    )
                _say_what_it_caused(request, said, user=user, child=child, since=started)
                return redirect("children:detail", pk=child.pk)
    else:
        record = ChildRecordForms(user=user)
    return render(request, "children/form.html", {"record": record, "child": None})


def _say_what_it_caused(request, said: list[str], *, user, child, since) -> None:
    """One message for the save and what it set in motion (an alert raised, work due within a day,
    who was told), so that the user reads them together."""
    from shouhu.visits.selectors import save_consequences

    from .saved import what_it_caused

    caused = save_consequences(user=user, child=child, since=since)
    text = " ".join([*said, *what_it_caused(caused)])
    messages.add_message(request, messages.WARNING if caused.alerts else messages.SUCCESS, text)


@login_required
def child_break_glass(request):
    """Break the glass: open a file outside one's jurisdiction for a few hours, with a reason."""
    user = request.user
    if not emergency.may_break_glass(user):
        raise Http404
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            child, grant = emergency.glass_break(
                actor=user, id_number=form.cleaned_data["id_number"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            if grant is not None:
                log_access(request=request, action=Action.BREAK_GLASS, child=child, query=grant.note)
                until = timezone.localtime(grant.ends_at).strftime("%Y-%m-%d %H:%M")
                messages.warning(
                    request,
                    _("已紧急调阅 %(name)s 的档案，有效至 %(until)s。")
                    % {"name": child.name, "until": until},
                )
            return redirect("children:detail", pk=child.pk)
    return render(
        request,
        "children/emergency.html",
        {"form": form, "hours": settings.BREAK_GLASS_HOURS},
    )


@login_required
def child_edit(request, pk):
    """The form carries the version it was opened at. Saved against an older one, nothing is written:
    the page lists what changed since (``children.changes``) and the user chooses, field by field,
    to keep their entry or take the value now (``resolve-<field>``), then saves against the new one."""
    user = request.user
    child = access.get_child_for(user, pk, edit=True)
    version = child.version
    conflicts: list[changes.Conflict] = []
    stale = False
    if request.method == "POST":
        record = ChildRecordForms(user=user, child=child, data=request.POST, files=request.FILES)
        try:
            sent = versioning.parse(request.POST.get("version"))
        except ValueError:
            sent = None
        if sent is None:
            messages.error(request, _("这份表单没有版本信息，无法确认是否最新，未保存。请重新打开后再改。"))
            return redirect("children:edit", pk=child.pk)
        if record.is_valid():
            arguments = record.service_arguments()
            theirs = {
                k.removeprefix("resolve-")
                for k, v in request.POST.items()
                if k.startswith("resolve-") and v == "theirs"
            }
            changes.take_theirs(arguments, child=child, keys=theirs)
            started = timezone.now()
            try:
                services.child_update(actor=user, child=child, expected_version=sent, **arguments)
            except versioning.Stale as exc:
                stale = True
                conflicts = changes.changes_since(
                    child=exc.current, version=sent, mine=arguments, seen=access.tiers_for(user, child)
                )
            except ValidationError as exc:
                record.add_service_errors(exc)
                version = sent
            else:
                log_access(request=request, action=Action.UPDATE, child=child)
                said = [_("已保存 %(name)s 的档案。") % {"name": child.name}]
                _say_what_it_caused(request, said, user=user, child=child, since=started)
                return redirect("children:detail", pk=child.pk)
        else:
            version = sent
        # What was on file, for the page title: the failed save changed the instance in memory only.
        child.refresh_from_db(fields=["name", "version"])
        if stale:
            version = child.version
    else:
        log_access(request=request, action=Action.VIEW, child=child)
        record = ChildRecordForms(user=user, child=child)
    context = {"record": record, "child": child, "version": version, "stale": stale, "conflicts": conflicts}
    return render(request, "children/form.html", context)


# --- change history -------------------------------------------------------------------------------

KIND_LABELS = {"+": gettext_lazy("新增"), "~": gettext_lazy("修改"), "-": gettext_lazy("删除")}
SAME_SAVE_SECONDS = 5


@dataclass
class HistoryEntry:
    when: object
    who: object
    part: str
    kind: str
    changes: list[changes.FieldChange] = field(default_factory=list)


def change_history(child: Child, *, seen) -> list[HistoryEntry]:
    """Who changed what in the file and when, newest first: the child, parents, carer and contacts,
    each changed field with its old and new value (``children.changes``). A field whose tier ``seen``
    does not hold is named with its values hidden: the history is no way round the hidden fields."""
    entries: list[HistoryEntry] = []
    entries += _entries(child.history.all(), Child, "child", lambda r: _("儿童信息"), seen)
    entries += _entries(
        Parent.history.filter(child_id=child.pk),
        Parent,
        "parent",
        lambda r: f"{r.get_role_display()} {r.name if seen.sees('parent', 'name') else ''}".strip(),
        seen,
    )
    entries += _entries(
        Carer.history.filter(child_id=child.pk),
        Carer,
        "carer",
        lambda r: f"{_('受委托照料人')} {r.name if seen.sees('carer', 'name') else ''}".strip(),
        seen,
    )
    entries += _contact_entries(child)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:HISTORY_SHOWN]


def _entries(records, model, part_name, part, seen) -> list[HistoryEntry]:
    out = []
    previous: dict = {}
    for record in records.select_related("history_user").order_by("history_date", "history_id"):
        before = previous.get(record.id)
        previous[record.id] = record
        changed: list[changes.FieldChange] = []
        if record.history_type == "~":
            if before is None:
                continue
            changed = changes.field_changes(record, before, model, part_name, seen)
            if not changed:
                continue  # saved again without a change
        out.append(
            HistoryEntry(
                record.history_date,
                record.history_user,
                part(record),
                str(KIND_LABELS[record.history_type]),
                changed,
            )
        )
    return out


def _contact_entries(child: Child) -> list[HistoryEntry]:
    """Rescue contacts are replaced as a set on each save: an unchanged contact deleted and created again
    in the same save is not a change."""
    records = list(
        RescueContact.history.filter(child_id=child.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )

    def key(r):
        return (r.name, r.relation, r.phone, r.role)

    removed = [r for r in records if r.history_type == "-"]
    skip = set()
    for added in (r for r in records if r.history_type == "+"):
        for gone in removed:
            if gone.history_id in skip or key(gone) != key(added):
                continue
            if 0 <= (added.history_date - gone.history_date).total_seconds() <= SAME_SAVE_SECONDS:
                skip |= {gone.history_id, added.history_id}
                break
    return [
        HistoryEntry(
            r.history_date, r.history_user, f"{_('救助联系人')} {r.name}", str(KIND_LABELS[r.history_type])
        )
        for r in records
        if r.history_id not in skip and r.history_type in ("+", "-")
    ]
