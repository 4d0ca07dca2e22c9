"""Who sees visit records, investigations and children's homes, and who records a visit."""

from django.db.models import Q

from shouhu.accounts import access
from shouhu.accounts.models import Grant, GrantReason
from shouhu.regions.codes import Level, county_of, reaches

from .models import ChildrensHome, Investigation, InvestigationItem, Visit


class VisitRecordPolicy(access.TerritoryPolicy):
    """Visit records (notes about the home and the family) belong to the territory's workers; a grant
    (a mentor's pairing) does not open them."""

    def can_record(self, user, child) -> bool:
        """Visits are recorded by the people who work the child's territory (director, supervisor,
        county), and by a worker a visit was reassigned to (an active assignment grant)."""
        if access.can_edit(user, child):
            return True
        if user.role not in access.EDITING_ROLES:
            return False
        read = access.grants_read_once(user)
        if read is not None:
            return GrantReason.ASSIGNMENT in read.get(child.pk, ())
        return (
            Grant.objects.active()
            .filter(user_id=user.pk, child_id=child.pk, reason=GrantReason.ASSIGNMENT)
            .exists()
        )


class InvestigationPolicy(access.Policy):
    """The investigations of the county the user works in (or of the counties below a city)."""

    def rule(self, user, code):
        if not code:
            return access.NOTHING
        # Below a county the investigation is the county's; above one, those of the counties within.
        return Q(county_id=county_of(code)) if reaches(code, Level.COUNTY) else Q(county_id__startswith=code)


class CheckPolicy(access.Policy):
    """An investigation's check items of the children in the user's territory (never through a grant
    or breaking the glass: the check is the territory's work)."""

    def rule(self, user, code):
        return Q(region_code__within=code) if code else access.NOTHING


class HomePolicy(access.Policy):
    """The children's homes of the villages in the user's territory."""

    def rule(self, user, code):
        return Q(village__in=access.regions_visible_to(user)) if code else access.NOTHING


visits = access.register(Visit, VisitRecordPolicy())
investigations = access.register(Investigation, InvestigationPolicy())
checks = access.register(InvestigationItem, CheckPolicy())
homes = access.register(ChildrensHome, HomePolicy())
