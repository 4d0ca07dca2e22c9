"""The export of the children list, from the list page: the page's filters, a format, a layout.

Thin: the filters are read by the list page's own form, so the file holds what the list shows; the
export is made by ``services.children_export`` and logged (format, layout, whole numbers or not, row
count, filter) before the first byte leaves."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shouhu.accounts import access
from shouhu.audit.models import Action
from shouhu.audit.services import log_access
from shouhu.web.forms import ChildFilterForm

from . import services
from .forms import ExportForm

LIST_FILTERS = ("q", "region", "category", "schooling")


def list_filters(request) -> dict:
    """The children list page's filters, read as that page reads them (an invalid one is left out)."""
    form = ChildFilterForm(request.GET, user=request.user)
    form.is_valid()
    return {k: form.cleaned_data.get(k) or "" for k in LIST_FILTERS}


def respond(request, export: services.Export):
    """The file, after its access-log entry."""
    log_access(request=request, action=Action.EXPORT, query=export.log_text())
    if export.file is not None:
        response = FileResponse(export.file, content_type=export.content_type)
    else:
        response = StreamingHttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Export-Rows"] = str(export.rows)
    return response


@login_required
@require_GET
def children_export(request):
    user = request.user
    if not access.can_export_children(user):
        raise PermissionDenied(_("您的账号不能导出儿童名单。"))
    form = ExportForm(request.GET)
    if not form.is_valid():
        problems = "；".join(f"{form.fields[k].label}：{' '.join(v)}" for k, v in form.errors.items())
        return HttpResponseBadRequest(problems, content_type="text/plain; charset=utf-8")
    export = services.children_export(user=user, filters=list_filters(request), **form.options())
    return respond(request, export)
