"""The privacy page of a child's file: the basis for holding the data, photo consent, the guardian's
requests and their answers, and whether the file is archived. Thin: the rules are in ``services``.

Read by those who work the child's territory (not through a grant); changed by those who may edit
the file. Others get 404, as for any file out of reach.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shouhu.accounts import access
from shouhu.audit.models import Action
from shouhu.audit.services import log_access

from . import services
from .forms import AnswerForm, BasisForm, RequestForm
from .models import Archive, GuardianRequest


def _child(request, pk, *, edit: bool = False):
    child = access.get_child_for(request.user, pk, edit=edit)
    if not access.in_territory(request.user, child.region_code):
        raise Http404
    return child


def _put_errors(form, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


@login_required
@require_http_methods(["GET", "POST"])
def child_privacy(request, pk):
    user = request.user
    child = _child(request, pk, edit=request.method == "POST")
    basis = services.basis_of(child)
    # Without a record yet, the consent asked at upload stands: saving the form must not drop a photo.
    initial = (
        {"basis": basis.basis} if basis else {"basis": "statutory", "photo_consent": child.photo_consent}
    )
    if basis:
        initial.update(
            consent_on=basis.consent_on,
            consent_by=basis.consent_by,
            consent_relation=basis.consent_relation,
            scope=basis.scope,
            photo_consent=basis.photo_consent,
            photo_consent_on=basis.photo_consent_on,
        )
    basis_form = BasisForm(initial=initial)
    answer_form = AnswerForm()
    if request.method == "POST":
        try:
            if request.POST.get("form") == "answer":
                answer_form = AnswerForm(request.POST)
                if answer_form.is_valid():
                    req = GuardianRequest.objects.filter(
                        child=child, pk=answer_form.cleaned_data["request"]
                    ).first()
                    if req is None:
                        raise Http404
                    services.request_answer(
                        actor=user, request=req, answer=answer_form.cleaned_data["answer"]
                    )
                    log_access(request=request, action=Action.UPDATE, child=child)
                    messages.success(request, _("已记录答复。"))
                    return redirect("privacy:child", pk=child.pk)
            else:
                basis_form = BasisForm(request.POST)
                if basis_form.is_valid():
                    services.basis_record(actor=user, child=child, **basis_form.cleaned_data)
                    log_access(request=request, action=Action.UPDATE, child=child)
                    messages.success(request, _("已保存个人信息处理依据。"))
                    return redirect("privacy:child", pk=child.pk)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            _put_errors(answer_form if request.POST.get("form") == "answer" else basis_form, exc)
    else:
        log_access(request=request, action=Action.VIEW, child=child)
    context = {
        "child": child,
        "basis": basis,
        "basis_form": basis_form,
        "answer_form": answer_form,
        "requests": GuardianRequest.objects.filter(child=child).select_related("answered_by"),
        "archive": Archive.objects.filter(child=child).first(),
        "can_edit": access.can_edit(user, child),
    }
    return render(request, "privacy/child.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request, pk):
    user = request.user
    child = _child(request, pk, edit=True)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_record(actor=user, child=child, **form.cleaned_data)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            log_access(request=request, action=Action.UPDATE, child=child)
            messages.success(request, _("已登记监护人请求，须在15日内答复。"))
            return redirect("privacy:child", pk=child.pk)
    return render(request, "privacy/request_form.html", {"child": child, "form": form})
