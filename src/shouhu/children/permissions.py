"""Who sees and who changes a child's file: the rule every record about a child starts from."""

from django.db.models import Q
from django.utils import timezone

from shouhu.accounts import access

from .models import Child


class ChildPolicy(access.Policy):
    """The children of the user's territory (the household's village, or for a homeless minor the
    place where they were found, in the user's region or below), and the children granted to the user
    (assignment, referral, pairing, break-glass) while the grant is active."""

    def rule(self, user, code):
        # The granted ids are read first: an OR with a subquery would make PostgreSQL scan every child
        # of the province; an OR with a list of ids is two index scans.
        read = access.grants_read_once(user)
        ids = list(read) if read is not None else list(access.granted_child_ids(user, timezone.now()))
        granted = Q(pk__in=ids)
        if code:
            return Q(region_code__within=code) | granted
        return granted

    def can_change(self, user, child: Child) -> bool:
        """Editing needs a territorial editing role over the child's region; a grant alone never
        suffices."""
        if access.is_everywhere(user):
            return True
        return user.role in access.EDITING_ROLES and access.in_territory(user, child.region_code)


children = access.register(Child, ChildPolicy())
