"""The visits pages: my work, recording a visit, the visit policy, the quarterly investigations and the
children's homes. Thin: each reads through ``visits.selectors`` / ``accounts.access``, writes through
the services of ``visits`` and ``escalation``, and logs every opening of children's data."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.accounts import access
from shouhu.accounts import selectors as account_selectors
from shouhu.audit.models import Action
from shouhu.audit.services import log_access
from shouhu.escalation import services as escalation
from shouhu.regions.codes import LENGTH_OF, Level, is_village, is_within, reaches, township_of
from shouhu.web.saved import what_it_caused

from . import homes, investigations, permissions, selectors, services
from .forms import CheckConfirmForm, InvestigationOpenForm, PolicyForm, ReassignForm, SessionForm, VisitForm
from .models import FAILED_OUTCOMES

PAGE_SIZE = 50


def _back(request, fallback: str):
    """Where the form came from (``next``, a local address only), else ``fallback``."""
    wanted = request.POST.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(wanted)
    return redirect(fallback)


def _url(name: str, query: dict | None = None, **kwargs) -> str:
    url = reverse(name, kwargs=kwargs or None)
    query = {k: v for k, v in (query or {}).items() if v}
    return f"{url}?{urlencode(query)}" if query else url


def _date(value):
    """A day from a query string (YYYY-MM-DD); anything else is no filter."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- my work ---------------------------------------------------------------------------------------


@login_required
@require_GET
def work(request):
    """A director's due, overdue and done visits; for supervisors and the county, overdue work per
    township, per village and director, down to one village's items with a way to reassign them."""
    user = request.user
    now = timezone.now()
    # Township supervisors and everyone above them oversee the work of the villages below them;
    # those who may also reassign it (access.can_manage_work) get the means to.
    oversees = account_selectors.watches_director_gaps(user)
    wanted = request.GET.get("region", "")
    if wanted and not oversees:
        raise Http404
    area = access.get_region_for(user, wanted).code if wanted else selectors.home_area(user)
    oversees = oversees and area is not None
    kind = request.GET.get("kind", "")
    kind = kind if kind in selectors.ITEM_FILTERS else ""
    only_overdue = request.GET.get("overdue") == "1"
    mine = selectors.my_work(user=user, now=now, kind=kind, page=request.GET.get("opage"))
    notes, unread = selectors.notifications(user=user)
    context = {
        "mine": mine,
        "notes": notes,
        "unread": unread,
        "oversees": oversees,
        "area": area,
        "kind": kind,
        "only_overdue": only_overdue,
        "kinds": selectors.item_filter_choices(),
    }
    shows_children = not mine.empty
    if oversees:
        show_items = is_village(area) or request.GET.get("show") == "items"
        context["trail"] = selectors.area_trail(user=user, area=area)
        context["show_items"] = show_items
        if show_items:
            window = {k: _date(request.GET.get(k)) for k in ("due_from", "due_to")}
            context["window"] = {k: v for k, v in window.items() if v}
            items = selectors.open_items_in(
                user=user, area=area, kind=kind, overdue=only_overdue, now=now, **window
            )
            page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
            for item in page:
                item.overdue = item.is_overdue(now)
                item.days_overdue = selectors.days_overdue(due_at=item.due_at, now=now)
            context["page"] = page
            may_reassign = reaches(area, Level.TOWNSHIP) and access.can_manage_work(user, area)
            context["candidates"] = (
                list(selectors.reassign_candidates(township=township_of(area))) if may_reassign else []
            )
            context["back"] = request.get_full_path()
            shows_children = shows_children or bool(page.object_list)
        else:
            rows = selectors.overdue_by_area(user=user, area=area, now=now)
            for row in rows:
                deeper = len(row.code) > len(area)
                row.url = _url("visits:work", {"region": row.code, "show": "" if deeper else "items"})
            context["rows"] = rows
            context["per_person"] = reaches(area, Level.TOWNSHIP)
            context["overdue_total"] = sum(r.count for r in rows)
            context["all_items_url"] = _url("visits:work", {"region": area, "show": "items"})
    if shows_children:
        log_access(request=request, action=Action.LIST)
    return render(request, "visits/work.html", context)


@login_required
@require_POST
def item_reassign(request, item_id):
    user = request.user
    item = selectors.get_work_item_for(user=user, item_id=item_id)
    form = ReassignForm(
        request.POST, candidates=selectors.reassign_candidates(township=township_of(item.region_code))
    )
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        to = form.cleaned_data["to"]
        try:
            escalation.item_reassign(actor=user, item=item, to=to)
        except PermissionError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("已将“%(title)s”改派给 %(name)s。") % {"title": item.text, "name": str(to)}
            )
    fallback = (
        _url("visits:work", {"region": item.region_code})
        if access.can_manage_work(user, item.region_code)
        else reverse("visits:work")
    )
    return _back(request, fallback)


@login_required
@require_GET
def notification_list(request):
    """All my notifications, newest first, a page at a time (``unread=1``: the unread only); each
    leads to the work it is about."""
    unread_only = request.GET.get("unread") == "1"
    notes = escalation.notifications_for(user=request.user, unread_only=unread_only).order_by(
        "-created_at", "pk"
    )
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread": escalation.notifications_for(user=request.user, unread_only=True).count(),
    }
    return render(request, "visits/notifications.html", context)


@login_required
@require_POST
def notifications_read(request):
    """Mark one notification (``notification``) or all of them read."""
    unread = escalation.notifications_for(user=request.user, unread_only=True)
    wanted = request.POST.get("notification")
    if wanted:
        try:
            unread = unread.filter(pk=wanted)
        except ValidationError:
            unread = unread.none()
    escalation.notifications_read(user=request.user, notifications=unread)
    if wanted and request.headers.get("HX-Request"):
        # htmx marks one notice read in place: the notice again, read, instead of the whole page.
        try:
            note = escalation.notifications_for(user=request.user).filter(pk=wanted).first()
        except ValidationError:
            note = None
        if note is None:
            return HttpResponse(status=204)
        return render(request, "visits/_notice.html", {"note": note})
    return _back(request, reverse("visits:work"))


# --- recording a visit -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request, pk):
    user = request.user
    child = access.get_child_for(user, pk)
    if not permissions.visits.can_record(user, child):
        raise Http404
    may_change_file = access.can_edit(user, child)
    if request.method == "POST":
        form = VisitForm(request.POST, request.FILES, child=child, may_change_file=may_change_file)
        started = timezone.now()
        if form.is_valid():
            try:
                siblings = form.cleaned_data.get("household") or []
                if siblings:
                    visits = services.visit_record_household(
                        actor=user,
                        child=child,
                        children=[child.pk, *siblings],
                        data=form.values(),
                        idempotency_key=form.cleaned_data["idempotency_key"] or None,
                        facts=form.facts(),
                    )
                    visit, created = visits[0], True
                    for other in visits[1:]:
                        log_access(request=request, action=Action.CREATE, child=other.child)
                else:
                    visit, created = services.visit_record(
                        actor=user,
                        child=child,
                        data=form.values(),
                        idempotency_key=form.cleaned_data["idempotency_key"] or None,
                        facts=form.facts(),
                    )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                if not created:
                    messages.info(request, _("这次走访已经保存过了，没有重复登记。"))
                    return redirect("visits:work")
                log_access(request=request, action=Action.CREATE, child=child)
                caused = selectors.save_consequences(user=user, child=child, since=started)
                if visit.outcome in FAILED_OUTCOMES:
                    saved = _("已记录对 %(name)s 的走访未遇（%(outcome)s）。这次走访仍待完成。") % {
                        "name": child.name,
                        "outcome": visit.get_outcome_display(),
                    }
                else:
                    saved = _("已保存对 %(name)s 的走访。") % {"name": child.name}
                # One message, so the visitor reads what the save set in motion with the save itself.
                text = " ".join([saved, *what_it_caused(caused)])
                level = (
                    messages.WARNING
                    if caused.alerts or visit.outcome in FAILED_OUTCOMES
                    else messages.SUCCESS
                )
                messages.add_message(request, level, text)
                return redirect("visits:work")
    else:
        log_access(request=request, action=Action.VIEW, child=child)
        form = VisitForm(child=child, may_change_file=may_change_file)
    context = {
        "child": child,
        "form": form,
        "due": selectors.child_open_items(user=user, child=child),
        "failed_outcomes": " ".join(sorted(FAILED_OUTCOMES)),
    }
    return render(request, "visits/visit_form.html", context)


# --- visit policy ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def policy(request):
    user = request.user
    county = access.configurable_county(user, request.GET.get("county"))
    if county is None:
        raise Http404
    current = selectors.policy_of(county)
    if request.method == "POST":
        form = PolicyForm(request.POST, instance=current)
        if form.is_valid():
            try:
                services.policy_update(actor=user, county_code=county, **form.values())
            except ValidationError as exc:
                form.add_service_errors(exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("走访规则已保存。新的走访周期按新规则计算。"))
                return redirect(request.get_full_path())
    else:
        form = PolicyForm(instance=current)
    context = {"form": form, "policy": current, "history": selectors.policy_history(current)}
    return render(request, "visits/policy.html", context)


# --- investigations --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def investigation_list(request):
    user = request.user
    county = access.configurable_county(user)
    form = None
    if county:
        form = InvestigationOpenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                opened = investigations.investigation_open(
                    actor=user, county_code=county, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(
                    request,
                    _("已发起 %(year)s 年第 %(quarter)s 季度排查，共 %(n)s 名儿童。")
                    % {"year": opened.year, "quarter": opened.quarter, "n": opened.items.count()},
                )
                return redirect("visits:investigation", investigation_id=opened.pk)
    elif request.method == "POST":
        raise Http404
    context = {"investigations": selectors.investigations_with_progress(user=user), "form": form}
    return render(request, "visits/investigations.html", context)


@login_required
@require_GET
def investigation_detail(request, investigation_id):
    """Progress per township, per village when drilled into a township, and one village's children
    to check; the summary once the county closed it."""
    user = request.user
    inv = selectors.get_investigation_for(user=user, investigation_id=investigation_id)
    wanted = request.GET.get("region", "")
    area = access.get_region_for(user, wanted).code if wanted else (selectors.home_area(user) or "")
    if len(area) < len(inv.county_id):
        area = inv.county_id
    if not is_within(area, inv.county_id):
        raise Http404
    by = LENGTH_OF[Level.TOWNSHIP] if len(area) <= LENGTH_OF[Level.COUNTY] else LENGTH_OF[Level.VILLAGE]
    rows = [
        r for r in investigations.progress(investigation=inv, user=user, by=by) if r["area"].startswith(area)
    ]
    for row in rows:
        row["url"] = _url("visits:investigation", {"region": row["area"]}, investigation_id=inv.pk)
    checks = None
    if is_village(area):
        checks = list(selectors.checks_in(user=user, investigation=inv, area=area))
        for item in checks:
            item.editable = access.can_edit(user, item.child)
    summary = selectors.summary_for(user=user, investigation=inv, area=area) if inv.closed_at else None
    if checks or (summary and (summary["townships"] or summary["rescue"])):
        log_access(request=request, action=Action.LIST)
    context = {
        "inv": inv,
        "area": area,
        "trail": selectors.area_trail(user=user, area=area),
        "rows": rows,
        "by_village": by == 12,
        "checks": checks,
        "summary": summary,
        "may_close": not inv.closed_at and access.can_configure_county(user, inv.county_id),
        "back": request.get_full_path(),
        "confirm_form": CheckConfirmForm(),
    }
    return render(request, "visits/investigation.html", context)


@login_required
@require_POST
def investigation_close(request, investigation_id):
    user = request.user
    inv = selectors.get_investigation_for(user=user, investigation_id=investigation_id)
    try:
        investigations.investigation_close(actor=user, investigation=inv)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您不能结束本次排查。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("排查已结束，汇总如下。"))
    return redirect("visits:investigation", investigation_id=inv.pk)


@login_required
@require_POST
def check_confirm(request, investigation_id, check_id):
    """Confirm a child's check: no change (情况无变化), or the file was updated; with an optional note."""
    user = request.user
    inv = selectors.get_investigation_for(user=user, investigation_id=investigation_id)
    item = selectors.get_check_for(user=user, investigation=inv, check_id=check_id)
    form = CheckConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        try:
            investigations.investigation_check(actor=user, item=item, note=form.cleaned_data["note"])
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您不能排查该儿童。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已确认 %(name)s 的情况。") % {"name": item.child.name})
    return _back(request, _url("visits:investigation", {"region": item.region_code}, investigation_id=inv.pk))


# --- children's homes ------------------------------------------------------------------------------


@login_required
@require_GET
def home_list(request):
    user = request.user
    page = Paginator(selectors.homes_visible_to(user), PAGE_SIZE).get_page(request.GET.get("page"))
    for home in page:
        home.may_record = access.can_register_in(user, home.village_id)
    return render(request, "visits/homes.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request, home_id):
    user = request.user
    home = selectors.get_home_for(user=user, home_id=home_id)
    if not access.can_register_in(user, home.village_id):
        raise Http404
    children = selectors.home_children(user=user, home=home)
    form = SessionForm(request.POST or None, children=children, leader=str(user))
    if request.method == "POST" and form.is_valid():
        try:
            session, created = homes.session_record(
                actor=user,
                home=home,
                data=form.values(),
                attendees=form.cleaned_data["attendees"],
                idempotency_key=form.cleaned_data["idempotency_key"] or None,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            if created:
                messages.success(
                    request,
                    _("已登记 %(home)s 的活动：%(topic)s。") % {"home": home.name, "topic": session.topic},
                )
            else:
                messages.info(request, _("这次活动已经登记过了，没有重复登记。"))
            return redirect("visits:homes")
    elif request.method == "GET":
        log_access(request=request, action=Action.LIST)
    recent = home.sessions.order_by("-held_on", "-created_at")[:5]
    return render(request, "visits/session_form.html", {"home": home, "form": form, "recent": recent})
