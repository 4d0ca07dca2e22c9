from django import template

from shouhu.accounts import access
from shouhu.cases.models import CaseStatus
from shouhu.referrals import selectors

register = template.Library()


@register.inclusion_tag("referrals/case_referrals.html", takes_context=True)
def case_referrals(context, case):
    """The case's referrals and the "转介" button, on the case page (seen only by the child's territory)."""
    user = context["request"].user
    return {
        "case": case,
        "referrals": list(selectors.case_referrals(case)),
        "can_refer": case.status != CaseStatus.CLOSED and access.can_edit(user, case.child),
    }
