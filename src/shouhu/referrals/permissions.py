"""Who sees referrals, and who sees the child a referral is about."""

from django.db.models import Q

from shouhu.accounts import access
from shouhu.accounts.models import Grant

from .models import Referral, ReferralStatus


class ReferralPolicy(access.Policy):
    """Referrals of the user's territory (the child's place), and those made to the user's
    organisation — in any status, for its own records; what of the child they show is
    ``can_see_child``."""

    def rule(self, user, code):
        mine = Q(provider_id=user.organisation_id) if user.organisation_id else access.NOTHING
        return Q(region_code__within=code) | mine if code else mine

    def can_see_child(self, user, referral, *, grants=None) -> bool:
        """Who the child is (name, guardian's contact): the child's territory always; the
        organisation's staff only while the referral is accepted and their grant is active — not before
        they accept, not after it is closed or revoked. ``grants``: the user's ``grants_once``, read at
        most once for a list."""
        if access.is_everywhere(user) or access.in_territory(user, referral.region_code):
            return True
        if referral.status != ReferralStatus.ACCEPTED or not access.is_provider_staff(
            user, referral.provider_id
        ):
            return False
        read = grants if grants is not None else access.grants_read_once(user)
        if read is not None:
            return bool(read.get(referral.child_id))
        return Grant.objects.active().filter(user_id=user.pk, child_id=referral.child_id).exists()


referrals = access.register(Referral, ReferralPolicy())
