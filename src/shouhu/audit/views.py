"""The access-log page: who opened which child's file, list or search. County readers only."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from shouhu.accounts import access

from .models import Action
from .selectors import access_log_visible_to

PAGE_SIZE = 50
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AccessLogFilterForm(forms.Form):
    username = forms.CharField(label=_("用户名"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("全部")), *Action.choices])
    child = forms.UUIDField(label=_("儿童编号"), required=False)
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=_DATE)
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=_DATE)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data


@login_required
@require_GET
def access_log(request):
    user = request.user
    if not access.can_read_audit(user):
        raise Http404
    form = AccessLogFilterForm(request.GET)
    form.is_valid()
    wanted = form.cleaned_data
    rows = access_log_visible_to(user=user)
    if wanted.get("username"):
        rows = rows.filter(username__icontains=wanted["username"])
    if wanted.get("action"):
        rows = rows.filter(action=wanted["action"])
    if wanted.get("child"):
        rows = rows.filter(child_id=wanted["child"])
    if wanted.get("date_from"):
        rows = rows.filter(at__date__gte=wanted["date_from"])
    if wanted.get("date_to"):
        rows = rows.filter(at__date__lte=wanted["date_to"])
    page = Paginator(rows.order_by("-at", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    # Names only for the children the reader may see; others stay an id.
    ids = {row.child_id for row in page if row.child_id}
    names = dict(access.children_visible_to(user).filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    for row in page:
        row.child_name = names.get(row.child_id, "")
    return render(request, "audit/log.html", {"form": form, "page": page})
