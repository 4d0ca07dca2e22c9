"""Cross-check pages: upload a list (dry run, then the check), the runs, their differences, closing one."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shouhu.audit.models import Action
from shouhu.audit.services import log_access

from . import permissions, selectors, services
from .forms import CloseForm, UploadForm
from .models import DifferenceKind, ListKind

TOKEN = re.compile(r"^[0-9a-f]{32}\.(xlsx|csv)$")
KEEP_SECONDS = 24 * 3600  # an upload waiting for its check is deleted after a day
PAGE_SIZE = 50


def _store() -> Path:
    path = Path(settings.VAR_DIR) / "crosschecks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep() -> None:
    """Uploads never checked hold children's data: gone after a day."""
    limit = time.time() - KEEP_SECONDS
    for path in _store().iterdir():
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


@login_required
@require_GET
def index(request):
    user = request.user
    runs = list(selectors.runs_for(user=user)[:20])
    differences = selectors.differences_for(user=user)
    context = {
        "runs": runs,
        "counts": selectors.counts_by_kind(differences),
        "may_run": services.may_run(user),
    }
    return render(request, "crosschecks/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    user = request.user
    if not services.may_run(user):
        raise PermissionDenied
    if request.method == "POST" and "token" in request.POST:
        return _commit(request)
    form = UploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "GET" or not form.is_valid():
        return render(request, "crosschecks/upload.html", {"form": form})
    file = form.cleaned_data.get("file")
    if file is None:
        form.add_error("file", _("请选择要比对的文件。"))
        return render(request, "crosschecks/upload.html", {"form": form})
    kind, school = form.cleaned_data["kind"], form.cleaned_data["school_obj"]
    outcome = services.crosscheck_run(actor=user, upload=file, kind=kind, school=school)
    token = ""  # the key of an upload kept for its check, not a secret  # nosec B105
    if outcome.ok:
        _sweep()
        suffix = "xlsx" if file.name.lower().endswith(".xlsx") else "csv"
        token = f"{uuid.uuid4().hex}.{suffix}"
        file.seek(0)
        (_store() / f"{user.pk}-{token}").write_bytes(file.read())
    log_access(request=request, action=Action.SEARCH, query=f"crosscheck dry run: {kind} {file.name}"[:500])
    return render(
        request,
        "crosschecks/upload.html",
        {
            "form": form,
            "outcome": outcome,
            "token": token,
            "filename": file.name,
            "kind": kind,
            "school": school,
            "found": [(label, outcome.counts[k]) for k, label in DifferenceKind.choices if outcome.counts[k]],
        },
    )


def _commit(request):
    user = request.user
    token = request.POST.get("token", "")
    path = _store() / f"{user.pk}-{token}"
    form = UploadForm(request.POST, user=user)
    if not TOKEN.match(token) or not path.exists() or not form.is_valid():
        messages.error(request, _("找不到这次上传的文件，请重新上传。"))
        return redirect("crosschecks:upload")
    name = request.POST.get("filename", "")[:150] or f"list.{token.rsplit('.', 1)[1]}"
    if not name.lower().endswith(token.rsplit(".", 1)[1]):
        name = f"{name}.{token.rsplit('.', 1)[1]}"
    upload = SimpleUploadedFile(name, path.read_bytes())
    outcome = services.crosscheck_run(
        actor=user,
        upload=upload,
        kind=form.cleaned_data["kind"],
        school=form.cleaned_data["school_obj"],
        commit=True,
    )
    path.unlink(missing_ok=True)
    if outcome.run is None:
        return render(request, "crosschecks/upload.html", {"form": form, "outcome": outcome})
    log_access(request=request, action=Action.CREATE, query=f"crosscheck: {outcome.run.pk}")
    messages.success(
        request,
        _("比对完成：发现差异 %(all)s 条，其中新增 %(new)s 条，已派给相关儿童主任或督导员。")
        % {"all": sum(outcome.counts.values()), "new": outcome.new},
    )
    return redirect("crosschecks:run", run_id=outcome.run.pk)


@login_required
@require_GET
def run(request, run_id):
    user = request.user
    the_run = selectors.get_run_for(user, run_id)
    kind = request.GET.get("kind", "")
    if kind not in DifferenceKind.values:
        kind = ""
    everything = selectors.differences_for(user=user, run=the_run)
    page = Paginator(selectors.differences_for(user=user, run=the_run, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    log_access(request=request, action=Action.LIST, query=f"crosscheck {the_run.pk} {kind}")
    return render(
        request,
        "crosschecks/run.html",
        {"run": the_run, "counts": selectors.counts_by_kind(everything), "kind": kind, "page": page},
    )


@login_required
@require_GET
def differences(request):
    user = request.user
    kind = request.GET.get("kind", "")
    kind = kind if kind in DifferenceKind.values else ""
    state = request.GET.get("state", "open")
    state = state if state in ("open", "closed", "all") else "open"
    qs = selectors.differences_for(user=user, kind=kind, state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    if page.object_list:
        log_access(request=request, action=Action.LIST, query=f"crosscheck differences {kind} {state}")
    return render(
        request,
        "crosschecks/differences.html",
        {
            "page": page,
            "kind": kind,
            "state": state,
            "kinds": DifferenceKind.choices,
            "counts": selectors.counts_by_kind(selectors.differences_for(user=user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def difference(request, difference_id):
    user = request.user
    diff = selectors.get_difference_for(user, difference_id)
    may_close = diff.is_open and permissions.differences.can_close(user, diff)
    form = CloseForm(request.POST or None, difference=diff) if may_close else None
    if request.method == "POST":
        if not may_close:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.difference_close(
                    actor=user,
                    difference=diff,
                    resolution=form.cleaned_data["resolution"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                log_access(
                    request=request,
                    action=Action.UPDATE,
                    child=diff.child,
                    query=f"crosscheck close {diff.pk}",
                )
                messages.success(request, _("已处理。"))
                return redirect("crosschecks:difference", difference_id=diff.pk)
    log_access(
        request=request, action=Action.VIEW, child=diff.child, query=f"crosscheck difference {diff.pk}"
    )
    return render(
        request,
        "crosschecks/difference.html",
        {
            "d": diff,
            "form": form,
            "unregistered": diff.kind == DifferenceKind.UNREGISTERED,
            "ListKind": ListKind,
        },
    )
