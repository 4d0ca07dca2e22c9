"""Who runs cross-checks of the registry against school and 低保 lists, sees their runs and
differences, and closes a difference."""

from shouhu.accounts import access

from .models import CrossCheck, Difference


class CrossCheckPolicy(access.TerritoryPolicy):
    """Cross-check runs whose place lies in the user's territory (a township's supervisor sees the runs
    of its schools; a village director sees none, only the differences of the village)."""

    def can_run(self, user, region_code: str) -> bool:
        """Uploading a school's or a 低保 list for a place: its township supervisors, the county's staff,
        administrators (the same people who manage the place's work)."""
        return access.can_manage_work(user, region_code)


class DifferencePolicy(access.TerritoryPolicy):
    """Differences found by cross-checks, by the place they are about: a village's director sees the
    village's, a township's supervisor the township's (those with no known village among them)."""

    def can_close(self, user, difference: Difference) -> bool:
        """Closing a difference: the territory's workers who may change files (the village director,
        the supervisor, the county), not civil-affairs readers."""
        if access.is_everywhere(user):
            return True
        return user.role in access.EDITING_ROLES and access.in_territory(user, difference.region_code)


crosschecks = access.register(CrossCheck, CrossCheckPolicy())
differences = access.register(Difference, DifferencePolicy())
