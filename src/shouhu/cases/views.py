"""The find-and-intervene pages: alerts, mandatory reports, cases and the county's risk rules. Thin: each
reads through ``cases.selectors`` / ``accounts.access``, writes through ``cases.services`` and
``cases.reports``, and logs every opening of children's data."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu import versioning
from shouhu.accounts import access
from shouhu.audit.models import Action
from shouhu.audit.services import log_access
from shouhu.escalation import actions
from shouhu.escalation.delivery import delivery_for
from shouhu.regions.codes import Level, county_of, is_village, is_within, reaches, township_of
from shouhu.visits import permissions as visit_permissions
from shouhu.web.versions import REFUSED, posted_version, refusal

from . import reports, rules, selectors, services
from .forms import (
    MARKS,
    AlertCloseForm,
    AlertFilterForm,
    AssessmentForm,
    CaseOpenForm,
    CaseTaskForm,
    CountyChoiceForm,
    PlanForm,
    ReportCaseForm,
    ReportCloseForm,
    ReportForm,
    ReportLinkForm,
    RuleSettingForm,
    StepNoteForm,
    error_text,
)
from .models import AlertStatus, CaseSource, CaseStatus, ReportStatus

PAGE_SIZE = 50


# --- alerts ----------------------------------------------------------------------------------------


@login_required
@require_GET
def alert_list(request):
    """Open alerts of my jurisdiction, one group per home (household or child) with its count: the
    most severe and the oldest first, a page of homes at a time."""
    user = request.user
    form = AlertFilterForm(request.GET, user=user)
    form.is_valid()  # an invalid filter is shown as an error and left out
    wanted = {k: form.cleaned_data.get(k) or "" for k in ("severity", "region")}
    page = Paginator(selectors.open_alert_groups(user=user, **wanted), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    groups = []
    for alerts in selectors.alerts_of_groups(user=user, groups=page.object_list, **wanted):
        for alert in alerts:
            alert.kind = rules.KINDS.get(alert.rule)
            alert.late = bool(alert.work_item and alert.work_item.is_overdue(now))
            alert.action = actions.alert_action(alert, self_closing=alert.severity in rules.SELF_CLOSING)
        groups.append(actions.Group(key=alerts[0].home, rows=alerts) if alerts else None)
    if page.object_list:
        log_access(request=request, action=Action.LIST)
    context = {
        "form": form,
        "page": page,
        "groups": [g for g in groups if g],
        "total": selectors.open_alerts(user=user, **wanted).count(),
        "filtered": any(wanted.values()),
    }
    return render(request, "cases/alerts.html", context)


@login_required
@require_GET
def alert_detail(request, alert_id):
    user = request.user
    alert = selectors.get_alert_for(user=user, alert_id=alert_id)
    log_access(request=request, action=Action.VIEW, child=alert.child)
    can_edit = access.can_edit(user, alert.child)
    is_open = alert.status == AlertStatus.OPEN
    tasks = {item.kind.rpartition(".")[2]: item for item in services.alert_tasks(alert)}
    now = timezone.now()
    context = {
        "alert": alert,
        "kind": rules.KINDS.get(alert.rule),
        "late": bool(alert.work_item and alert.work_item.is_overdue()),
        "self_closing": alert.severity in rules.SELF_CLOSING,
        "can_mark": is_open and can_edit,
        "marks": [
            (
                name,
                label,
                getattr(alert, f"{name}_at"),
                tasks.get(name),
                tasks.get(name) and tasks[name].is_overdue(now),
            )
            for name, label in MARKS.items()
        ],
        "can_close": is_open
        and can_edit
        and (alert.severity in rules.SELF_CLOSING or access.can_manage_work(user, alert.region_code)),
        "can_visit": is_open and visit_permissions.visits.can_record(user, alert.child),
        "close_form": AlertCloseForm(),
        "cases": selectors.child_cases(user=user, child=alert.child),
        "deliveries": delivery_for(alert.work_item),
    }
    return render(request, "cases/alert.html", context)


@login_required
@require_POST
def alert_mark(request, alert_id):
    user = request.user
    alert = selectors.get_alert_for(user=user, alert_id=alert_id)
    wanted = {name: name == request.POST.get("mark") for name in MARKS}
    if not any(wanted.values()):
        messages.error(request, _("请选择要记录的处置。"))
    else:
        try:
            services.alert_mark(actor=user, alert=alert, expected_version=posted_version(request), **wanted)
        except REFUSED as exc:
            messages.error(request, refusal(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您无权处理该预警。"))
        else:
            log_access(request=request, action=Action.UPDATE, child=alert.child)
            label = next(str(MARKS[n]) for n, on in wanted.items() if on)
            messages.success(request, _("已记录：%(what)s。") % {"what": label})
    return redirect("cases:alert", alert_id=alert.pk)


@login_required
@require_POST
def alert_close(request, alert_id):
    user = request.user
    alert = selectors.get_alert_for(user=user, alert_id=alert_id)
    form = AlertCloseForm(request.POST)
    form.is_valid()
    try:
        services.alert_close(
            actor=user,
            alert=alert,
            reason=form.cleaned_data.get("reason") or "",
            expected_version=posted_version(request),
        )
    except REFUSED as exc:
        messages.error(request, refusal(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您无权解除该预警。"))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        log_access(request=request, action=Action.UPDATE, child=alert.child)
        messages.success(request, _("预警已解除。"))
    return redirect("cases:alert", alert_id=alert.pk)


# --- reports ---------------------------------------------------------------------------------------


@login_required
@require_GET
def report_list(request):
    """The township's reports (unlinked ones first) and, for everyone, the reports I filed."""
    user = request.user
    territory = selectors.territory_reports(user=user)
    page = Paginator(territory, PAGE_SIZE).get_page(request.GET.get("page"))
    mine = list(selectors.my_reports(user=user)[:PAGE_SIZE])
    if page.object_list:
        log_access(request=request, action=Action.LIST)
    context = {
        "page": page,
        "works_territory": access.territory_code(user) is not None or user.is_superuser,
        "mine": mine,
        "now": timezone.now(),
    }
    return render(request, "cases/reports.html", context)


def _report_form(request, *, child=None, data=None):
    """The report form for the county asked for or the user's own; None when a county must be chosen."""
    user = request.user
    wanted = (data or request.GET).get("county") or (county_of(child.region_code) if child else None)
    county = selectors.report_form_county(user=user, wanted=wanted)
    if county is None:
        return None
    townships, villages = selectors.county_places(county)
    initial = {}
    place = child.region_code if child else (user.region_id or "")
    if is_within(place, county) and reaches(place, Level.TOWNSHIP):
        initial["township"] = township_of(place)
        if is_village(place):
            initial["village"] = place
    if child is not None:
        initial["child"] = child.pk
        initial["child_name"] = child.name
        if access.sees_sensitive_fields(user, child):
            initial["child_birth_date"] = child.birth_date
            initial["child_id_number"] = child.id_number or ""
    return ReportForm(
        data,
        initial=initial,
        harm_types=selectors.harm_type_choices(),
        townships=townships,
        villages=villages,
        county=county,
    )


def _report_page(request, form, child):
    if form is None:
        county_form = CountyChoiceForm(request.GET or None, counties=selectors.counties())
        return render(
            request, "cases/report_form.html", {"form": None, "county_form": county_form, "child": child}
        )
    return render(request, "cases/report_form.html", {"form": form, "child": child})


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request):
    """One button files a report: anyone signed in may, about any child; it reaches the township."""
    user = request.user
    child = None
    wanted_child = request.POST.get("child") if request.method == "POST" else request.GET.get("child")
    if wanted_child:
        child = access.get_child_for(user, wanted_child)
    if request.method == "GET":
        if child is not None:
            log_access(request=request, action=Action.VIEW, child=child)
        return _report_page(request, _report_form(request, child=child), child)
    form = _report_form(request, child=child, data=request.POST)
    if form is None:
        return _report_page(request, None, child)
    if form.is_valid():
        try:
            report = reports.report_file(actor=user, **form.values())
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            if child is not None:
                log_access(request=request, action=Action.CREATE, child=child)
                _link_when_allowed(user, report, child)
            messages.success(request, _("报告已提交，编号 %(ref)s。") % {"ref": report.reference})
            url = reverse("cases:report", kwargs={"report_id": report.pk}) + "?filed=1"
            if child is not None:
                url += f"&child={child.pk}"
            return redirect(url)
    return _report_page(request, form, child)


def _link_when_allowed(user, report, child) -> None:
    """Filed from the child's file by someone who triages reports there: the child is certain, so the
    report is linked at once (``reports.report_link`` decides whether the user may)."""
    if report.child_id or not access.can_manage_work(user, report.township_id):
        return
    try:
        reports.report_link(actor=user, report=report, child=child)
    except (PermissionDenied, ValidationError):
        pass  # left for the township to link, as any report


@login_required
@require_GET
def child_report(request, pk):
    """The report form reached from a child's file, filled in with that child."""
    user = request.user
    child = access.get_child_for(user, pk)
    log_access(request=request, action=Action.VIEW, child=child)
    return _report_page(request, _report_form(request, child=child), child)


@login_required
@require_GET
def report_detail(request, report_id):
    user = request.user
    report = selectors.get_report_for(user=user, report_id=report_id)
    triages = selectors.triages(user, report)
    sees_child = bool(report.child_id) and triages and access.can_view(user, report.child)
    may_triage = triages and access.can_manage_work(user, report.township_id)
    is_open = report.status in (ReportStatus.RECEIVED, ReportStatus.LINKED)
    context = {
        "report": report,
        "triages": triages,
        "sees_child": sees_child,
        "may_triage": may_triage and is_open,
        "filed": request.GET.get("filed") == "1",
        "triage_hours": reports.TRIAGE_HOURS.get(report.urgency),
        "late": bool(report.work_item and report.work_item.is_overdue()),
        "cases": list(report.cases.select_related("child")) if triages else [],
    }
    if sees_child:
        log_access(request=request, action=Action.VIEW, child=report.child)
    if context["filed"] and request.GET.get("child"):
        # Filed from a child's file: offer the file's edit page (e.g. to record the child as alone).
        try:
            context["edit_child"] = access.get_child_for(user, request.GET["child"], edit=True)
        except Http404:
            pass
    if context["may_triage"] and report.child_id is None:
        q = (request.GET.get("q") or "").strip()[:50]
        context["q"] = q
        context["candidates"] = selectors.report_candidates(user=user, report=report, q=q)
        if context["candidates"]:
            log_access(request=request, action=Action.SEARCH if q else Action.LIST, query=q)
    if context["may_triage"]:
        context["case_form"] = ReportCaseForm()
        context["close_form"] = ReportCloseForm()
    return render(request, "cases/report.html", context)


def _triage(request, report_id):
    user = request.user
    report = selectors.get_report_for(user=user, report_id=report_id)
    if not selectors.triages(user, report):
        raise Http404  # the reporter's own view shows the status only
    return user, report


@login_required
@require_POST
def report_link(request, report_id):
    user, report = _triage(request, report_id)
    form = ReportLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择儿童。"))
        return redirect("cases:report", report_id=report.pk)
    child = access.get_child_for(user, form.cleaned_data["child"])
    try:
        reports.report_link(actor=user, report=report, child=child)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已将报告关联到 %(name)s。") % {"name": child.name})
    return redirect("cases:report", report_id=report.pk)


@login_required
@require_POST
def report_case(request, report_id):
    user, report = _triage(request, report_id)
    form = ReportCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择风险等级。"))
        return redirect("cases:report", report_id=report.pk)
    try:
        case = reports.report_to_case(
            actor=user, report=report, risk_level=form.cleaned_data["risk_level"], parties=form.party_list()
        )
    except versioning.Conflict as exc:
        # Opened a moment ago by someone else (or by a second click): the case there is.
        messages.info(request, exc.message)
        return redirect("cases:case", case_id=exc.current.pk)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已转为个案。"))
        return redirect("cases:case", case_id=case.pk)
    return redirect("cases:report", report_id=report.pk)


@login_required
@require_POST
def report_close(request, report_id):
    user, report = _triage(request, report_id)
    form = ReportCloseForm(request.POST)
    form.is_valid()
    try:
        reports.report_close(actor=user, report=report, reason=form.cleaned_data.get("reason") or "")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("报告已办结。"))
    return redirect("cases:report", report_id=report.pk)


# --- cases -----------------------------------------------------------------------------------------


@login_required
@require_GET
def case_list(request):
    user = request.user
    status = request.GET.get("status", "open")
    if status not in ("", "open", *CaseStatus.values):
        status = "open"
    wanted = request.GET.get("region", "")
    place = access.get_region_for(user, wanted) if wanted else None
    region = place.code if place else ""
    page = Paginator(selectors.cases_list(user=user, status=status, region=region), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if page.object_list:
        log_access(request=request, action=Action.LIST)
    statuses = [("open", _("进行中")), *CaseStatus.choices, ("", _("全部"))]
    context = {"page": page, "status": status, "statuses": statuses, "place": place}
    return render(request, "cases/cases.html", context)


LIFECYCLE = [
    CaseStatus.OPENED,
    CaseStatus.ASSESSED,
    CaseStatus.PLANNED,
    CaseStatus.IN_SERVICE,
    CaseStatus.REVIEWED,
    CaseStatus.CLOSE_REQUESTED,
    CaseStatus.CLOSED,
]


def _step_forms(case, data=None, to: str | None = None) -> dict:
    """The forms for the steps that may follow the case's status (``services.STEPS``); bound for the
    step ``to`` that was posted."""

    def bound(step):
        return data if step == to else None

    forms = {}
    for step in services.STEPS.get(case.status, set()):
        if step == CaseStatus.ASSESSED:
            forms[step] = AssessmentForm(bound(step), initial=case.assessment or {}, prefix="assess")
        elif step == CaseStatus.PLANNED:
            forms[step] = PlanForm(bound(step), initial={"plan": case.plan}, prefix="plan")
        else:
            forms[step] = StepNoteForm(bound(step), prefix=step)
    return forms


STEP_TITLES = {
    CaseStatus.ASSESSED: gettext_lazy("需求评估"),
    CaseStatus.PLANNED: gettext_lazy("服务计划"),
    CaseStatus.IN_SERVICE: gettext_lazy("服务记录"),
    CaseStatus.REVIEWED: gettext_lazy("复核"),
    CaseStatus.CLOSE_REQUESTED: gettext_lazy("申请结案"),
}


def _case_page(request, case, forms=None, task_form=None):
    user = request.user
    can_edit = access.can_edit(user, case.child)
    now = timezone.now()
    if task_form is None and can_edit and case.status != CaseStatus.CLOSED:
        task_form = CaseTaskForm(
            people=selectors.task_people(case.child), initial={"responsible": str(user.pk)}
        )
    forms = forms if forms is not None else (_step_forms(case) if can_edit else {})
    order = {s: i for i, s in enumerate(LIFECYCLE)}
    current = order.get(case.status, 0)
    steps = [
        {"status": s, "label": s.label, "done": order[s] < current, "current": order[s] == current}
        for s in LIFECYCLE
    ]
    context = {
        "case": case,
        "steps": steps,
        "forms": [
            {
                "to": to,
                "title": STEP_TITLES.get(to, CaseStatus(to).label),
                "form": form,
                "again": to == case.status,
            }
            for to, form in sorted(forms.items(), key=lambda kv: order.get(kv[0], 0))
        ],
        "can_edit": can_edit,
        "may_approve": case.status == CaseStatus.CLOSE_REQUESTED
        and access.can_manage_work(user, case.region_code)
        and user.pk != case.close_requested_by_id,
        "waits_for_approval": case.status == CaseStatus.CLOSE_REQUESTED,
        "events": selectors.case_events(case),
        "tasks": [(t, t.is_overdue(now)) for t in services.case_tasks(case)],
        "task_form": task_form,
        "assessment": [(label, case.assessment.get(need, "")) for need, label in _need_labels()],
    }
    return render(request, "cases/case.html", context)


def _need_labels():
    from .forms import NEED_LABELS

    return [(n, NEED_LABELS.get(n, n)) for n in services.NEEDS]


@login_required
@require_GET
def case_detail(request, case_id):
    case = selectors.get_case_for(user=request.user, case_id=case_id)
    log_access(request=request, action=Action.VIEW, child=case.child)
    return _case_page(request, case)


@login_required
@require_POST
def case_task_add(request, case_id):
    user = request.user
    case = selectors.get_case_for(user=user, case_id=case_id)
    people = selectors.task_people(case.child)
    form = CaseTaskForm(request.POST, people=people)
    if form.is_valid():
        try:
            services.case_task_add(
                actor=user,
                case=case,
                title=form.cleaned_data["title"],
                due_on=form.cleaned_data["due_on"],
                responsible=form.people.get(form.cleaned_data["responsible"]),
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("cases:case", case_id=case.pk)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            log_access(request=request, action=Action.UPDATE, child=case.child)
            messages.success(request, _("已添加任务。"))
            return redirect("cases:case", case_id=case.pk)
    return _case_page(request, case, task_form=form)


@login_required
@require_POST
def case_task_done(request, case_id, task_id):
    user = request.user
    case = selectors.get_case_for(user=user, case_id=case_id)
    item = get_object_or_404(services.case_tasks(case), pk=task_id)
    try:
        services.case_task_done(actor=user, case=case, item=item, note=request.POST.get("note", ""))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        log_access(request=request, action=Action.UPDATE, child=case.child)
        messages.success(request, _("任务已完成。"))
    return redirect("cases:case", case_id=case.pk)


@login_required
@require_POST
def case_step(request, case_id):
    user = request.user
    case = selectors.get_case_for(user=user, case_id=case_id)
    to = request.POST.get("to", "")
    if not access.can_edit(user, case.child):
        messages.error(request, _("您无权处理该个案。"))
        return redirect("cases:case", case_id=case.pk)
    forms = _step_forms(case, request.POST, to)
    form = forms.get(to)
    if form is None:
        messages.error(request, _("个案已不在这一步，请刷新页面后再操作。"))
        return redirect("cases:case", case_id=case.pk)
    if form.is_valid():
        arguments = {"text": form.cleaned_data.get("text", "") or ""}
        if isinstance(form, AssessmentForm):
            arguments["assessment"] = form.assessment()
        if isinstance(form, PlanForm):
            arguments["plan"] = form.cleaned_data.get("plan") or ""
            arguments["text"] = arguments["plan"]
        try:
            services.case_step(
                actor=user, case=case, to=to, expected_version=posted_version(request), **arguments
            )
        except REFUSED as exc:
            messages.error(request, refusal(exc))
            return redirect("cases:case", case_id=case.pk)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("cases:case", case_id=case.pk)
        except ValidationError as exc:
            form.add_service_errors(exc)
            case.refresh_from_db()
        else:
            log_access(request=request, action=Action.UPDATE, child=case.child)
            if case.status == CaseStatus.CLOSED:
                messages.success(request, _("个案已结案。"))
            elif case.status == CaseStatus.CLOSE_REQUESTED:
                messages.success(request, _("已申请结案，等待督导员或县级工作人员审批。"))
            else:
                messages.success(request, _("已保存：%(step)s。") % {"step": case.get_status_display()})
            return redirect("cases:case", case_id=case.pk)
    return _case_page(request, case, forms)


@login_required
@require_POST
def case_approve(request, case_id):
    user = request.user
    case = selectors.get_case_for(user=user, case_id=case_id)
    try:
        services.case_approve_closure(actor=user, case=case, expected_version=posted_version(request))
    except REFUSED as exc:
        messages.error(request, refusal(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        log_access(request=request, action=Action.UPDATE, child=case.child)
        messages.success(request, _("已批准结案。"))
    return redirect("cases:case", case_id=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request, pk):
    """开立个案 from a child's file: those who may change the file."""
    user = request.user
    child = access.get_child_for(user, pk, edit=True)
    form = CaseOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(
                actor=user,
                child=child,
                source=CaseSource.MANUAL,
                risk_level=form.cleaned_data["risk_level"],
                parties=form.party_list(),
                note=form.cleaned_data.get("note") or "",
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            log_access(request=request, action=Action.CREATE, child=child)
            messages.success(request, _("已为 %(name)s 开立个案。") % {"name": child.name})
            return redirect("cases:case", case_id=case.pk)
    elif request.method == "GET":
        log_access(request=request, action=Action.VIEW, child=child)
    open_cases = [c for c in selectors.child_cases(user=user, child=child) if c.status != CaseStatus.CLOSED]
    return render(request, "cases/case_new.html", {"child": child, "form": form, "open_cases": open_cases})


# --- rule settings ---------------------------------------------------------------------------------


@login_required
@require_GET
def rule_list(request):
    user = request.user
    county = access.configurable_county(user, request.GET.get("county"))
    if county is None:
        raise Http404
    return render(request, "cases/rules.html", _rules_context(county))


def _rules_context(county: str, posted: RuleSettingForm | None = None) -> dict:
    from shouhu.regions.models import Region

    settings = services.settings_of(county)
    entries = []
    for code, kind in rules.KINDS.items():
        setting = settings[code]
        form = (
            posted
            if posted is not None and posted.kind.code == code
            else RuleSettingForm(kind=kind, setting=setting)
        )
        entries.append(
            {
                "kind": kind,
                "setting": setting,
                "form": form,
                "history": selectors.rule_history(setting=setting, kind=kind),
            }
        )
    return {"county": Region.objects.get(code=county), "entries": entries}


def _rules_url(request, rule_code: str) -> str:
    wanted = request.GET.get("county")
    query = f"?{urlencode({'county': wanted})}" if wanted else ""
    return f"{reverse('cases:rules')}{query}#rule-{rule_code}"


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, rule_code):
    user = request.user
    county = access.configurable_county(user, request.GET.get("county"))
    kind = rules.KINDS.get(rule_code)
    if county is None or kind is None:
        raise Http404
    if request.method == "GET":
        return redirect(_rules_url(request, rule_code))
    setting = services.settings_of(county)[rule_code]
    form = RuleSettingForm(request.POST, kind=kind, setting=setting)
    if form.is_valid():
        try:
            services.rule_update(actor=user, county=county, code=rule_code, **form.values())
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(
                request, _("已保存“%(name)s”的设置。新的设置在下次评估时生效。") % {"name": kind.name}
            )
            return redirect(_rules_url(request, rule_code))
    return render(request, "cases/rules.html", {**_rules_context(county, form), "failed": rule_code})
