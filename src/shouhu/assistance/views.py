"""The assistance pages: the lists waiting for each level, the application form, an application with its
steps, and the actions of each level. Thin: reads through ``selectors`` (``accounts.access``), writes
through ``services``, and logs every opening of children's data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.accounts import access
from shouhu.audit.models import Action
from shouhu.audit.services import log_access
from shouhu.regions.codes import county_of
from shouhu.web.versions import REFUSED, posted_version, refusal

from . import eligibility, permissions, selectors, services
from .forms import ApplicationForm, CommentForm, PaymentForm, ResubmitForm, ReturnForm, StopForm
from .models import ApplicationStatus, Level

PAGE_SIZE = 50


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
@require_GET
def application_list(request):
    user = request.user
    waiting_status, waiting = selectors.to_act_on(user)
    page = Paginator(selectors.applications_visible_to(user), PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = list(waiting[:200])
    if page.object_list or waiting:
        log_access(request=request, action=Action.LIST)
    return render(
        request,
        "assistance/list.html",
        {
            "page": page,
            "waiting": waiting,
            "waiting_label": ApplicationStatus(waiting_status).label if waiting_status else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request, pk):
    """The village director applies for a child of the village; each type shows whether the child
    qualifies, and why not."""
    user = request.user
    child = access.get_child_for(user, pk)
    if not permissions.applications.can_apply(user, child):
        raise PermissionDenied(_("救助申请由儿童所在村的儿童主任提交。"))
    types = list(selectors.active_types())
    today = timezone.localdate()
    checks = [(t, eligibility.check(child, t, today)) for t in types]
    form = ApplicationForm(request.POST or None, types=types)
    if request.method == "POST" and form.is_valid():
        chosen = get_object_or_404(selectors.active_types(), pk=form.cleaned_data["type"])
        try:
            application = services.application_submit(
                actor=user, child=child, assistance_type=chosen, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            log_access(request=request, action=Action.CREATE, child=child)
            messages.success(request, _("已提交救助申请，等待乡镇审核。"))
            return redirect("assistance:application", application_id=application.pk)
    elif request.method == "GET":
        log_access(request=request, action=Action.VIEW, child=child)
    return render(request, "assistance/new.html", {"child": child, "form": form, "checks": checks})


def _page(request, application, **forms):
    user = request.user
    level = services.ACTS.get(application.status)
    decides = level in (Level.TOWNSHIP, Level.COUNTY) and user.pk != application.applicant_id
    if level == Level.TOWNSHIP:
        decides = decides and permissions.applications.can_review(user, application.region_code)
    elif level == Level.COUNTY:
        decides = decides and permissions.applications.can_approve(user, application.region_code)
    county = permissions.applications.can_approve(user, application.region_code)
    context = {
        "application": application,
        "child": application.child,
        "steps": selectors.steps_of(application),
        "payments": application.payments.all(),
        "level": level,
        "decides": decides,
        "resubmits": application.status == ApplicationStatus.RETURNED
        and permissions.applications.can_apply(user, application.child),
        "pays": county and application.status in (ApplicationStatus.APPROVED, ApplicationStatus.STOPPED),
        "stops": county and application.status == ApplicationStatus.APPROVED,
        "comment_form": forms.get("comment_form") or CommentForm(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "resubmit_form": forms.get("resubmit_form") or ResubmitForm(initial={"reason": application.reason}),
        "payment_form": forms.get("payment_form") or PaymentForm(),
        "stop_form": forms.get("stop_form") or StopForm(),
        "standard": services.amount_for(
            application.type, county_of(application.region_code), timezone.localdate()
        ),
    }
    return render(request, "assistance/application.html", context)


@login_required
@require_GET
def application_detail(request, application_id):
    application = selectors.get_application_for(user=request.user, application_id=application_id)
    log_access(request=request, action=Action.VIEW, child=application.child)
    return _page(request, application)


def _act(request, application_id, form_class, form_name, run, done: str):
    """Run one action on an application: refusals shown on the page, field errors next to the fields."""
    application = selectors.get_application_for(user=request.user, application_id=application_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(application, form.cleaned_data, posted_version(request))
        except REFUSED as exc:
            messages.error(request, refusal(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            log_access(request=request, action=Action.UPDATE, child=application.child)
            messages.success(request, done)
            return redirect("assistance:application", application_id=application.pk)
        return redirect("assistance:application", application_id=application.pk)
    return _page(request, application, **{form_name: form})


@login_required
@require_POST
def application_approve(request, application_id):
    return _act(
        request,
        application_id,
        CommentForm,
        "comment_form",
        lambda a, data, v: services.application_approve(
            actor=request.user, application=a, comment=data["comment"], expected_version=v
        ),
        _("已审核通过。"),
    )


@login_required
@require_POST
def application_return(request, application_id):
    return _act(
        request,
        application_id,
        ReturnForm,
        "return_form",
        lambda a, data, v: services.application_return(
            actor=request.user, application=a, reason=data["reason"], expected_version=v
        ),
        _("已退回申请人。"),
    )


@login_required
@require_POST
def application_resubmit(request, application_id):
    return _act(
        request,
        application_id,
        ResubmitForm,
        "resubmit_form",
        lambda a, data, v: services.application_resubmit(
            actor=request.user, application=a, expected_version=v, **data
        ),
        _("已重新提交，等待乡镇审核。"),
    )


@login_required
@require_POST
def payment_new(request, application_id):
    return _act(
        request,
        application_id,
        PaymentForm,
        "payment_form",
        lambda a, data, v: services.payment_record(actor=request.user, application=a, **data),
        _("已登记发放。"),
    )


@login_required
@require_POST
def application_stop(request, application_id):
    return _act(
        request,
        application_id,
        StopForm,
        "stop_form",
        lambda a, data, v: services.application_stop(
            actor=request.user, application=a, reason=data["reason"], expected_version=v
        ),
        _("已停发，并已通知儿童主任核查儿童现状。"),
    )
