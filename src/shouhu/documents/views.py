"""The printed documents as PDF downloads. Thin: each fetches its record through ``accounts.access`` (the
child's full file: territorial staff only, never through a grant — 404 otherwise), logs the download as
an export of the child's data, and renders in the interface language."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_GET

from shouhu.accounts import access
from shouhu.assistance import selectors as assistance_selectors
from shouhu.audit.models import Action
from shouhu.audit.services import log_access
from shouhu.cases import selectors as case_selectors

from . import contents
from .render import pdf_response


def _full_file(user, child) -> None:
    if not access.sees_sensitive_fields(user, child):
        raise Http404


def _send(request, child, template: str, context: dict, name: str):
    _full_file(request.user, child)
    response = pdf_response(template, context, f"{name}-{child.name}.pdf")
    log_access(request=request, action=Action.EXPORT, child=child)
    return response


@login_required
@require_GET
def guardianship(request, pk):
    child = access.get_child_for(request.user, pk)
    _full_file(request.user, child)
    return _send(
        request, child, "documents/guardianship.html", contents.guardianship(child=child), "委托监护确认书"
    )


@login_required
@require_GET
def alert_notice(request, alert_id):
    alert = case_selectors.get_alert_for(user=request.user, alert_id=alert_id)
    context = contents.duty_notice(child=alert.child, alert=alert)
    return _send(request, alert.child, "documents/duty_notice.html", context, "督促监护告知书")


@login_required
@require_GET
def case_notice(request, case_id):
    case = case_selectors.get_case_for(user=request.user, case_id=case_id)
    context = contents.duty_notice(child=case.child, case=case)
    return _send(request, case.child, "documents/duty_notice.html", context, "督促监护告知书")


@login_required
@require_GET
def case_summary(request, case_id):
    case = case_selectors.get_case_for(user=request.user, case_id=case_id)
    return _send(
        request, case.child, "documents/case_summary.html", contents.case_summary(case=case), "个案摘要"
    )


@login_required
@require_GET
def application_form(request, application_id):
    application = assistance_selectors.get_application_for(user=request.user, application_id=application_id)
    context = contents.application_form(application=application)
    return _send(request, application.child, "documents/application_form.html", context, "救助申请表")
