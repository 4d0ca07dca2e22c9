"""The audit pages: the access log and the change history, searched, paged and exported to CSV.
County readers only (``access.can_read_audit``); others get 404. Exports are themselves logged."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shouhu.accounts import access

from . import csvsafe, exports, readable
from .forms import AccessLogFilterForm, HistoryFilterForm
from .models import Action
from .selectors import access_log_search, changes_detail, changes_search, child_names_for
from .services import log_access

PAGE_SIZE = 50


def _reader(request):
    if not access.can_read_audit(request.user):
        raise Http404
    return request.user


@login_required
@require_GET
def access_log(request):
    user = _reader(request)
    form = AccessLogFilterForm(request.GET)
    wanted = form.filters()
    rows = access_log_search(user=user, wanted=wanted)
    page = Paginator(rows.select_related(None), PAGE_SIZE).get_page(request.GET.get("page"))
    names = child_names_for(user=user, ids={row.child_id for row in page})
    words = readable.Words(user, queries=[row.query for row in page], people=[row.user_id for row in page])
    for row in page:
        row.child_name = names.get(row.child_id, "")
        row.person = words.person(row.user_id, row.username)
        row.query_words = words.query(row.query)
    return render(request, "audit/log.html", _filtering(user, form, wanted, page))


def _filtering(user, form, wanted, page) -> dict:
    """What both pages show of their filters: the form, the places to pick from, the filter in words."""
    from shouhu.web.forms import region_choices

    return {
        "form": form,
        "page": page,
        "places": [name.strip() for _code, name in region_choices(user)],
        "filtered": readable.filter_in_words(user, wanted),
    }


@login_required
@require_GET
def changes(request):
    user = _reader(request)
    form = HistoryFilterForm(request.GET)
    wanted = form.filters()
    rows = changes_search(user=user, wanted=wanted)
    page = Paginator(rows if rows is not None else [], PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = changes_detail(user=user, rows=list(page.object_list))
    return render(request, "audit/changes.html", _filtering(user, form, wanted, page))


def _csv(request, filename: str, header, rows) -> StreamingHttpResponse:
    log_access(request=request, action=Action.EXPORT)
    response = StreamingHttpResponse(
        csvsafe.stream_rows(header, rows), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def access_log_export(request):
    user = _reader(request)
    form = AccessLogFilterForm(request.GET)
    rows = access_log_search(user=user, wanted=form.filters())
    return _csv(request, "access-log", exports.log_header(), exports.log_rows(rows))


@login_required
@require_GET
def changes_export(request):
    user = _reader(request)
    form = HistoryFilterForm(request.GET)
    rows = changes_search(user=user, wanted=form.filters())
    return _csv(request, "change-history", exports.changes_header(), exports.changes_rows(user, rows))
