"""Who reads quarterly reports, who generates them and who reviews them: a township reports to its
county."""

from django.db.models import Q

from shouhu.accounts import access
from shouhu.accounts.models import Role
from shouhu.regions.codes import Level, is_township, level_of

from .models import QuarterlyReport, Submission


class QuarterlyReportPolicy(access.Policy):
    """Quarterly reports of the user's own region (a township's supervisor: the township's; county
    staff and civil affairs: the county's), and the reports of the townships below once submitted (a
    draft stays with its township). Village directors read none: a township's report covers every
    village."""

    def rule(self, user, code):
        if not code or user.role == Role.VILLAGE_DIRECTOR:
            return access.NOTHING
        return Q(region_code=code) | (Q(region_code__within=code) & ~Q(status=Submission.DRAFT))

    def reads_any(self, user) -> bool:
        """Whether the user reads any report, so that the menu offers them: a territory above the
        village, or everywhere."""
        if not user.is_authenticated:
            return False
        if access.is_everywhere(user):
            return True
        return bool(access.territory_code(user)) and user.role != Role.VILLAGE_DIRECTOR

    def can_generate(self, user, region_code: str) -> bool:
        """Generating (and, for a township, submitting) the report of a region: the township's child
        supervisor for the township, the county's guidance-centre staff (or administrators) for the
        county. The same answer says who reads a township's report with its children's names."""
        if access.is_everywhere(user):
            return True
        code = access.territory_code(user)
        if not code or code != region_code:
            return False
        if level_of(code) == Level.TOWNSHIP:
            return user.role == Role.TOWNSHIP_SUPERVISOR
        return level_of(code) == Level.COUNTY and user.role in {Role.COUNTY_STAFF, Role.ADMIN}

    def can_review(self, user, report: QuarterlyReport) -> bool:
        """Acknowledging or returning a township's submitted report: the county's guidance-centre staff
        (or administrators) — never someone who generated or submitted that report."""
        if not is_township(report.region_code) or user.pk in (report.submitted_by_id, report.requested_by_id):
            return False
        if access.is_everywhere(user):
            return True
        code = access.territory_code(user)
        return bool(
            code
            and user.role in {Role.COUNTY_STAFF, Role.ADMIN}
            and level_of(code) == Level.COUNTY
            and report.region_code.startswith(code)
        )


quarterly_reports = access.register(QuarterlyReport, QuarterlyReportPolicy())
