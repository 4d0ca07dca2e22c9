"""Upload a register, follow its check, read the report, confirm the matches, commit, follow the commit.

The check and the commit are background jobs (``tasks``); the job's page shows a progress bar that
``static/imports/progress.js`` keeps up to date from the job's status endpoint. A step that failed
before it could run or finish (no broker, a dead worker) is retried from the same page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shouhu.accounts import access
from shouhu.audit.models import Action
from shouhu.audit.services import log_access

from . import jobs, selectors
from .errorsheet import error_sheet
from .models import JobStatus
from .reader import SheetError
from .template import template_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    user = request.user
    if not access.can_create_children(user):
        raise PermissionDenied
    if request.method == "GET":
        return render(request, "imports/upload.html", {"jobs": selectors.jobs_of(user)})
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, _("请选择要导入的文件。"))
        return redirect("imports:upload")
    try:
        job = jobs.job_create(actor=user, upload=file)
    except SheetError as exc:
        messages.error(request, str(exc))
        return redirect("imports:upload")
    log_access(request=request, action=Action.CREATE, query=f"import check: {job.pk} {file.name}")
    _send(request, job)
    return redirect("imports:job", import_id=job.pk)


def _send(request, job) -> None:
    """Send the job's step; a broker that does not answer failed the job (its page offers the retry)."""
    try:
        jobs.job_enqueue(job=job)
    except jobs.QueueUnavailable as exc:
        messages.error(request, str(exc))


@login_required
@require_http_methods(["GET", "POST"])
def job(request, import_id):
    job = selectors.job_for(request.user, import_id)
    if request.method == "POST" and "retry" in request.POST:
        if jobs.job_retry(actor=request.user, job=job):
            log_access(request=request, action=Action.CREATE, query=f"import retry: {job.pk} {job.step}")
            _send(request, job)
        else:
            messages.error(request, _("这个文件正在处理或已经结束，不需要重试。"))
        return redirect("imports:job", import_id=job.pk)
    if request.method == "POST" and "cancel" in request.POST:
        try:
            if jobs.job_cancel(actor=request.user, job=job):
                log_access(request=request, action=Action.UPDATE, query=f"import cancel: {job.pk}")
        except jobs.Refused as exc:
            messages.error(request, str(exc))
        return redirect("imports:job", import_id=job.pk)
    if request.method == "POST":
        confirmed = [int(n) for n in request.POST.getlist("confirm") if n.isdigit()]
        valid_only = request.POST.get("valid_only") == "1"
        try:
            claimed = jobs.job_commit_request(
                actor=request.user, job=job, confirmed=confirmed, valid_only=valid_only
            )
        except jobs.Refused as exc:
            messages.error(request, str(exc))
            return redirect("imports:job", import_id=job.pk)
        if claimed:
            log_access(request=request, action=Action.CREATE, query=f"import commit: {job.pk}")
            _send(request, job)
        else:
            messages.error(request, _("这个文件已经在导入或已经结束，不能再次确认。"))
        return redirect("imports:job", import_id=job.pk)
    return render(
        request,
        "imports/job.html",
        {"job": job, "status_url": reverse("imports:status", kwargs={"import_id": job.pk})},
    )


@login_required
@require_GET
def status(request, import_id):
    job = selectors.job_for(request.user, import_id)
    return JsonResponse(
        {
            "status": job.status,
            "label": str(JobStatus(job.status).label),
            "running": job.running,
            "progress": job.progress,
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "error": job.error,
            "retryable": job.retryable,
        }
    )


@login_required
@require_GET
def errors(request, import_id):
    """The rows with problems as a sheet to fix and upload again (``errorsheet``)."""
    job = selectors.job_for(request.user, import_id)
    path = jobs.rejected_path(job)
    if path is None:  # no row had a problem, or the job expired: its page says which
        messages.info(request, _("这个文件没有需要改正的行，或者已超过保留时间。"))
        return redirect("imports:job", import_id=job.pk)
    log_access(request=request, action=Action.EXPORT, query=f"import error sheet: {job.pk}")
    response = HttpResponse(error_sheet(path), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-errors-{job.pk}.xlsx"'
    return response


@login_required
@require_GET
def template(request):
    if not access.can_create_children(request.user):
        raise PermissionDenied
    response = HttpResponse(template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="shouhu-import-template.xlsx"'
    return response
