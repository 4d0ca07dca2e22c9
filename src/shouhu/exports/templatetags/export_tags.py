"""The export form under the children list: the list's filters carried along, for those who may export."""

from django import template

from shouhu.accounts import access

from ..forms import ExportForm
from ..views import LIST_FILTERS

register = template.Library()


@register.inclusion_tag("exports/form.html", takes_context=True)
def export_form(context):
    request = context["request"]
    user = request.user
    if not access.can_export_children(user):
        return {"shown": False}
    return {
        "shown": True,
        "form": ExportForm(),
        "filters": [(k, request.GET[k]) for k in LIST_FILTERS if request.GET.get(k)],
        "full_numbers": access.can_export_full_numbers(user),
    }
