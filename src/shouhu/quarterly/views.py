"""The quarterly-report pages: the list and the form to generate one, a report with its progress, files
and submission, the downloads (checked and logged every time), and the county's list of townships.
Thin: reads through ``selectors`` (``accounts.access``: a report out of reach is 404), writes through
``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import downloads, permissions, selectors, services
from .forms import AcknowledgeForm, GenerateForm, QuarterForm, ReturnForm, quarter_label
from .models import JobStatus, QuarterlyReport, Submission

PAGE_SIZE = 50


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _list(request, form):
    user = request.user
    page = Paginator(selectors.reports_visible_to(user), PAGE_SIZE).get_page(request.GET.get("page"))
    for report in page.object_list:
        report.quarter_label = quarter_label(report.year, report.quarter)
    return render(
        request,
        "quarterly/list.html",
        {"page": page, "form": form, "county": selectors.county_for(user) is not None},
    )


@login_required
@require_GET
def report_list(request):
    regions = selectors.generable_regions(request.user)
    return _list(request, GenerateForm(regions=regions) if regions else None)


@login_required
@require_POST
def report_new(request):
    """Queue a new version; the page of the report then shows its progress."""
    regions = selectors.generable_regions(request.user)
    if not regions:
        raise Http404
    form = GenerateForm(request.POST, regions=regions)
    if form.is_valid():
        year, quarter = form.cleaned_data["quarter"]
        try:
            report = services.report_request(
                actor=request.user, region_code=form.cleaned_data["region"], year=year, quarter=quarter
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        except services.QueueUnavailable as exc:  # no version was kept: the same form is the retry
            form.add_error(None, str(exc))
        else:
            return redirect("quarterly:report", quarterly_id=report.pk)
    return _list(request, form)


def _detail_context(request, report: QuarterlyReport) -> dict:
    user = request.user
    named = selectors.reads_names(user, report)
    may_generate = permissions.quarterly_reports.can_generate(user, report.region_code)
    return {
        "report": report,
        "title": selectors.title_of(report.region, report.year, report.quarter),
        "named": named,
        "events": list(report.events.select_related("by")),
        "may_regenerate": may_generate,
        "may_submit": may_generate
        and report.is_township
        and report.done
        and report.status in (Submission.DRAFT, Submission.RETURNED),
        "may_review": report.status == Submission.SUBMITTED
        and permissions.quarterly_reports.can_review(user, report),
        "return_form": ReturnForm(),
        "acknowledge_form": AcknowledgeForm(),
        "running": report.job_status in (JobStatus.QUEUED, JobStatus.RUNNING),
    }


@login_required
@require_GET
def report_detail(request, quarterly_id):
    report = selectors.get_report_for(user=request.user, report_id=quarterly_id)
    return render(request, "quarterly/report.html", _detail_context(request, report))


@login_required
@require_GET
def report_status(request, quarterly_id):
    """The job's state for the page's progress bar (``static/quarterly/progress.js``)."""
    report = selectors.get_report_for(user=request.user, report_id=quarterly_id)
    response = JsonResponse(
        {
            "job_status": report.job_status,
            "progress": report.progress,
            "error": report.error,
            "finished": report.job_status in (JobStatus.DONE, JobStatus.FAILED),
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def report_download(request, quarterly_id, kind: str):
    """The PDF or the Excel file, in the form the reader may see (named for the township's own
    supervisor, de-identified above it); every download is logged."""
    return downloads.report_file(
        request, selectors.get_report_for(user=request.user, report_id=quarterly_id), kind
    )


def _act(request, quarterly_id, action):
    report = selectors.get_report_for(user=request.user, report_id=quarterly_id)
    try:
        action(report)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("quarterly:report", quarterly_id=report.pk)


@login_required
@require_POST
def report_submit(request, quarterly_id):
    def submit(report):
        services.report_submit(actor=request.user, report=report)
        messages.success(request, _("已报送县级。"))

    return _act(request, quarterly_id, submit)


@login_required
@require_POST
def report_acknowledge(request, quarterly_id):
    def acknowledge(report):
        form = AcknowledgeForm(request.POST)
        comment = form.cleaned_data["comment"] if form.is_valid() else ""
        services.report_acknowledge(actor=request.user, report=report, comment=comment)
        messages.success(request, _("已确认该报告。"))

    return _act(request, quarterly_id, acknowledge)


@login_required
@require_POST
def report_return(request, quarterly_id):
    def return_(report):
        services.report_return(actor=request.user, report=report, comment=request.POST.get("comment", ""))
        messages.success(request, _("已退回乡镇，并附意见。"))

    return _act(request, quarterly_id, return_)


@login_required
@require_GET
def townships(request):
    """The county's townships for a quarter: not submitted, submitted, returned, acknowledged."""
    county = selectors.county_for(request.user)
    if county is None:
        raise Http404
    form = QuarterForm(request.GET or None)
    wanted = form.cleaned_data.get("quarter") if form.is_valid() else None
    year, quarter = wanted or selectors.previous_quarter()
    states = selectors.township_states(user=request.user, county=county, year=year, quarter=quarter)
    if not request.GET:
        form = QuarterForm(initial={"quarter": f"{year}-Q{quarter}"})
    missing = [s for s in states if s.state == Submission.DRAFT]
    return render(
        request,
        "quarterly/townships.html",
        {
            "county": county,
            "form": form,
            "states": states,
            "missing": missing,
            "quarter_label": quarter_label(year, quarter),
            "list_url": reverse("quarterly:list"),
        },
    )
