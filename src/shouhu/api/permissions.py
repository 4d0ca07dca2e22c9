"""The API's permission classes: each asks the policy of the record's model (``accounts.access``).

Seeing is not decided here: a record outside the user's reach is not in the view's queryset at all
(``access.visible``, or ``filters.PolicyFilter``), so it answers 404 before any permission is
checked. A record the user may see but not change (a mentor's paired child, a civil-affairs
official's territory) answers 403.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from shouhu.accounts import access


class PolicyPermission(BasePermission):
    """Reading what the view shows; changing a record only as its model's policy allows
    (``can(user, obj, "change")``)."""

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in SAFE_METHODS or access.can(request.user, obj, "change")


class ChildPermission(PolicyPermission):
    message = _("您可以查看该儿童的档案，但没有修改的权限。")

    def has_permission(self, request, view) -> bool:
        if getattr(view, "action", None) == "create" and not access.can_create_children(request.user):
            self.message = _("您没有登记儿童的权限。")
            return False
        return True
