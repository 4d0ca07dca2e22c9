"""The referral pages: "转介" from a case, the organisation's list of referrals, the referral page with
its answers, services delivered and closing. Thin: reads through ``referrals.selectors``, writes
through ``referrals.services``, and logs every opening of a child's referral."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.accounts import access
from shouhu.audit.models import Action
from shouhu.audit.services import log_access
from shouhu.cases import selectors as case_selectors
from shouhu.cases.forms import add_service_errors, error_text
from shouhu.web.versions import REFUSED, posted_version, refusal

from . import selectors, services
from .forms import CloseForm, ReasonForm, ReferralForm, ServiceRecordForm
from .models import ReferralStatus

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request, case_id):
    """转介 from a case: those who may change the child's file."""
    user = request.user
    case = case_selectors.get_case_for(user=user, case_id=case_id)
    if not access.can_edit(user, case.child):
        messages.error(request, _("您无权转介该儿童。"))
        return redirect("cases:case", case_id=case.pk)
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(actor=user, case=case, **form.cleaned_data)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("cases:case", case_id=case.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            log_access(request=request, action=Action.CREATE, child=case.child)
            messages.success(request, _("已转介至 %(org)s，等待机构接收。") % {"org": referral.provider})
            return redirect("referrals:detail", referral_id=referral.pk)
    elif request.method == "GET":
        log_access(request=request, action=Action.VIEW, child=case.child)
    return render(request, "referrals/new.html", {"case": case, "form": form})


@login_required
@require_GET
def referral_list(request):
    """Referrals to my organisation (pending first), and those of my territory."""
    user = request.user
    status = request.GET.get("status", "")
    if status not in ReferralStatus.values:
        status = ""
    page = Paginator(selectors.referrals_for(user=user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    grants = access.grants_once(user)
    rows = [
        {
            "referral": r,
            "child": selectors.child_view(user, r, grants=grants),
            "can_answer": selectors.can_answer(user=user, referral=r),
        }
        for r in page
    ]
    if rows:
        log_access(request=request, action=Action.LIST)
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "statuses": [("", _("全部")), *ReferralStatus.choices],
    }
    return render(request, "referrals/list.html", context)


def _page(request, referral, *, forms=None, status: int = 200):
    user = request.user
    forms = forms or {}
    context = {
        "referral": referral,
        "child": selectors.child_view(user, referral),
        "records": list(referral.records.all()),
        "can_answer": selectors.can_answer(user=user, referral=referral),
        "can_serve": selectors.can_serve(user=user, referral=referral),
        "can_revoke": selectors.can_revoke(user=user, referral=referral),
        "sees_case": access.cases_visible_to(user).filter(pk=referral.case_id).exists(),
        "sees_file": access.children_visible_to(user).filter(pk=referral.child_id).exists(),
        "decline_form": forms.get("decline") or ReasonForm(prefix="decline"),
        "revoke_form": forms.get("revoke") or ReasonForm(prefix="revoke"),
        "service_form": forms.get("service") or ServiceRecordForm(prefix="service"),
        "close_form": forms.get("close") or CloseForm(prefix="close"),
    }
    return render(request, "referrals/detail.html", context, status=status)


@login_required
@require_GET
def referral_detail(request, referral_id):
    referral = selectors.get_referral_for(user=request.user, pk=referral_id)
    log_access(request=request, action=Action.VIEW, child=referral.child)
    return _page(request, referral)


def _done(request, referral, message: str):
    log_access(request=request, action=Action.UPDATE, child=referral.child)
    messages.success(request, message)
    return redirect("referrals:detail", referral_id=referral.pk)


def _act(request, referral_id, *, name: str, form_class, run, success: str):
    """Post one form of the referral page to one service; its field errors go back to the page."""
    user = request.user
    referral = selectors.get_referral_for(user=user, pk=referral_id)
    form = form_class(request.POST, prefix=name) if form_class else None
    if form is not None and not form.is_valid():
        return _page(request, referral, forms={name: form}, status=400)
    try:
        run(user, referral, form.cleaned_data if form is not None else {}, posted_version(request))
    except REFUSED as exc:
        messages.error(request, refusal(exc))
        return redirect("referrals:detail", referral_id=referral.pk)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("referrals:detail", referral_id=referral.pk)
    except ValidationError as exc:
        if form is None:
            messages.error(request, error_text(exc))
            return redirect("referrals:detail", referral_id=referral.pk)
        add_service_errors(form, exc)
        referral.refresh_from_db()
        return _page(request, referral, forms={name: form}, status=400)
    return _done(request, referral, success)


@login_required
@require_POST
def referral_accept(request, referral_id):
    return _act(
        request,
        referral_id,
        name="accept",
        form_class=None,
        run=lambda user, r, data, v: services.referral_accept(actor=user, referral=r, expected_version=v),
        success=_("已接收转介。"),
    )


@login_required
@require_POST
def referral_decline(request, referral_id):
    return _act(
        request,
        referral_id,
        name="decline",
        form_class=ReasonForm,
        run=lambda user, r, data, v: services.referral_decline(
            actor=user, referral=r, reason=data["reason"], expected_version=v
        ),
        success=_("已拒绝转介。"),
    )


@login_required
@require_POST
def referral_service(request, referral_id):
    return _act(
        request,
        referral_id,
        name="service",
        form_class=ServiceRecordForm,
        run=lambda user, r, data, v: services.service_record(actor=user, referral=r, **data),
        success=_("已记录服务。"),
    )


@login_required
@require_POST
def referral_close(request, referral_id):
    return _act(
        request,
        referral_id,
        name="close",
        form_class=CloseForm,
        run=lambda user, r, data, v: services.referral_close(
            actor=user, referral=r, report=data["report"], expected_version=v
        ),
        success=_("转介已结束，结案报告已记入个案。"),
    )


@login_required
@require_POST
def referral_revoke(request, referral_id):
    return _act(
        request,
        referral_id,
        name="revoke",
        form_class=ReasonForm,
        run=lambda user, r, data, v: services.referral_revoke(
            actor=user, referral=r, reason=data["reason"], expected_version=v
        ),
        success=_("已撤回转介。"),
    )


@login_required
@require_GET
def provider_list(request):
    """The registry of social organisations: their services and the areas they serve."""
    return render(request, "referrals/providers.html", {"providers": selectors.providers()})
