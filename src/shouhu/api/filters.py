"""Query parameters of the API's lists.

The filter sets validate and document the parameters (an unknown ``schooling`` is a 400 with a
field error, and the OpenAPI schema lists them); the filtering itself is
``children.selectors.children_list``, the same search the web pages use. ``PolicyFilter`` scopes a
list by its model's policy.
"""

import django_filters
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework.filters import BaseFilterBackend

from shouhu.accounts import access
from shouhu.children import selectors
from shouhu.children.models import Child
from shouhu.children.options import Schooling

region_code = RegexValidator(r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$", _("区划代码应为2、4、6、9或12位数字。"))


class ChildFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        label=_("搜索"),
        help_text=_("姓名的任意部分（两个字也可）、拼音或拼音首字母，或完整的18位身份证号码。"),
    )
    region = django_filters.CharFilter(
        label=_("区划代码"), validators=[region_code], help_text=_("该区划及其所有下级区划的儿童。")
    )
    category = django_filters.CharFilter(label=_("儿童类别代码"), help_text=_("如 left_behind。"))
    schooling = django_filters.ChoiceFilter(label=_("就学情况"), choices=Schooling.choices)
    include_exited = django_filters.BooleanFilter(
        label=_("包括已退出的儿童"), help_text=_("默认只列出在册儿童。")
    )

    class Meta:
        model = Child
        fields: list[str] = []

    def filter_queryset(self, queryset):
        """``queryset`` is the user's visible children, which ``children_list`` narrows."""
        data = self.form.cleaned_data
        return selectors.children_list(
            user=self.request.user,
            visible=queryset,
            q=data.get("search") or "",
            region=data.get("region") or "",
            category=data.get("category") or "",
            schooling=data.get("schooling") or "",
            include_exited=bool(data.get("include_exited")),
        )


class PolicyFilter(BaseFilterBackend):
    """A list narrowed to what the policy of its model lets the user see (``accounts.access``): for a
    view whose queryset is not already scoped."""

    def filter_queryset(self, request, queryset, view):
        return queryset.filter(access.policy(queryset.model).q(request.user))
