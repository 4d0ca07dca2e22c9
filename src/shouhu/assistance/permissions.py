"""Who sees assistance applications, and who applies, reviews and approves: the village applies, the
township reviews, the county's civil affairs approves."""

from shouhu.accounts import access
from shouhu.accounts.models import Role
from shouhu.regions.codes import Level, level_of

from .models import Application


class ApplicationPolicy(access.TerritoryPolicy):
    """Assistance applications of the user's territory (never through a grant)."""

    def can_apply(self, user, child) -> bool:
        """The village level applies: a child director over the child's village."""
        return user.role == Role.VILLAGE_DIRECTOR and access.in_territory(user, child.region_code)

    def can_review(self, user, region_code: str) -> bool:
        """The township level reviews: a child supervisor over the township."""
        return user.role == Role.TOWNSHIP_SUPERVISOR and access.in_territory(user, region_code)

    def can_approve(self, user, region_code: str) -> bool:
        """The county level approves and records payments: the county's civil-affairs officials."""
        code = access.territory_code(user)
        return bool(
            code
            and user.role == Role.CIVIL_AFFAIRS
            and level_of(code) <= Level.COUNTY
            and access.in_territory(user, region_code)
        )


applications = access.register(Application, ApplicationPolicy())
