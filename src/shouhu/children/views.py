"""The household page of a child's file: who lives with the child, the adults recorded for them, and
the uncertain matches a person confirms or rejects. Thin: ``households`` decides."""

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

from . import households
from .models import HouseholdMember, HouseholdSuggestion, SuggestionStatus


@login_required
@require_http_methods(["GET", "POST"])
def child_household(request, pk):
    user = request.user
    child = access.get_child_for(user, pk)
    # Siblings' names and the adults' are the family's: the territory's workers only, as the full file.
    if not access.sees_sensitive_fields(user, child):
        raise Http404
    pending = HouseholdSuggestion.objects.filter(status=SuggestionStatus.PENDING).select_related(
        "child", "other"
    )
    pending = [s for s in pending.filter(child=child)] + [s for s in pending.filter(other=child)]
    if request.method == "POST":
        chosen = next((s for s in pending if str(s.pk) == request.POST.get("suggestion")), None)
        if chosen is None:
            raise Http404
        try:
            households.suggestion_decide(
                actor=user, suggestion=chosen, confirm=request.POST.get("decision") == "confirm"
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                for error in errors:
                    messages.error(request, error)
        else:
            log_access(request=request, action=Action.UPDATE, child=child)
            messages.success(request, _("已处理家庭关联建议。"))
        return redirect("children:household", pk=child.pk)
    log_access(request=request, action=Action.VIEW, child=child)
    home = households.household_of(child)
    members = []
    if home:
        members = list(
            HouseholdMember.objects.filter(household=home)
            .select_related("child", "child__carer")
            .prefetch_related("child__parents")
            .order_by("left_on", "child__birth_date")
        )
    adults = {}
    for m in members:
        if m.left_on:
            continue
        carer = getattr(m.child, "carer", None)
        if carer:
            adults[("carer", carer.name)] = (_("受委托照料人"), carer.name, carer.get_relation_display())
        for p in m.child.parents.all():
            if p.name:
                adults[(p.role, p.name)] = (p.get_role_display(), p.name, p.get_situation_display())
    context = {
        "child": child,
        "home": home,
        "members": members,
        "adults": list(adults.values()),
        "pending": pending,
        "may_decide": access.can_edit(user, child),
    }
    return render(request, "children/household.html", context)
