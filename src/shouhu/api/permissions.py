"""Who may register and who may change a child's file, asked of ``accounts.access``.

Seeing is not decided here: a child outside the user's reach is not in the view's queryset at all,
so it answers 404 before any permission is checked. A child the user may see but not change
(a mentor's paired child, a civil-affairs official's territory) answers 403.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from shouhu.accounts import access


class ChildPermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        if getattr(view, "action", None) == "create" and not access.can_create_children(request.user):
            self.message = _("您没有登记儿童的权限。")
            return False
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if not access.can_edit(request.user, obj):
            self.message = _("您可以查看该儿童的档案，但没有修改的权限。")
            return False
        return True
