from django import template

from shouhu.accounts import access

from .. import permissions, selectors

register = template.Library()


@register.inclusion_tag("assistance/child_section.html", takes_context=True)
def child_assistance(context, child):
    """The assistance part of a child's full file: applications, the apply button, the printed forms."""
    user = context["request"].user
    full = access.sees_sensitive_fields(user, child)
    return {
        "child": child,
        "full": full,
        "applications": selectors.child_applications(user=user, child=child) if full else [],
        "can_apply": permissions.applications.can_apply(user, child),
    }


@register.filter
def applies_for(user, child) -> bool:
    """Whether ``user`` may apply for assistance for ``child`` (the village's child director)."""
    return bool(user.is_authenticated and permissions.applications.can_apply(user, child))


@register.filter
def eligibility_words(row) -> tuple[str, str]:
    """One eligibility check kept with an application, as (name, words) in the reader's language."""
    from ..eligibility import row_in_words

    return row_in_words(row)
