"""A report's file as a download, for the page and the API alike: in the form the reader may see
(named for the township's own supervisor, de-identified above it), and logged every time."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from shouhu.audit.models import Action
from shouhu.audit.services import log_access

from . import selectors
from .models import QuarterlyReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# kind → (the named file's field, the de-identified file's field, content type)
FILES = {"pdf": ("pdf", "pdf_public", "application/pdf"), "xlsx": ("xlsx", "xlsx_public", XLSX)}


def report_file(request, report: QuarterlyReport, kind: str) -> FileResponse:
    """The PDF or Excel file of a report the user may read (the caller found it in their scope);
    404 while it is not generated or its file is gone."""
    named = selectors.reads_names(request.user, report)
    named_field, public_field, content_type = FILES[kind]
    file = getattr(report, named_field if named else public_field)
    if not report.done or not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    log_access(
        request=request,
        action=Action.EXPORT,
        query=f"quarterly={report.pk} file={kind} form={'named' if named else 'deidentified'}",
    )
    title = selectors.title_of(report.region, report.year, report.quarter)
    filename = f"{title}-v{report.version}{'' if named else '-' + _('去标识')}.{kind}"
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response
