"""Reading assistance: always through ``accounts.access`` (territory only, never through a grant)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from shouhu.accounts.models import Role, User
from shouhu.children.models import Child

from . import permissions
from .models import Application, ApplicationStatus, ApplicationStep, AssistanceType, CountyAmount


def applications_visible_to(user: User) -> QuerySet[Application]:
    return permissions.applications.queryset(user).select_related(
        "child__village__parent", "type", "applicant"
    )


def get_application_for(*, user: User, application_id: uuid.UUID | str) -> Application:
    """404 for a missing application and for one outside the user's territory alike."""
    try:
        return applications_visible_to(user).get(pk=application_id)
    except (Application.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


def to_act_on(user: User) -> tuple[str, QuerySet[Application]]:
    """What waits for the user's level: returned applications (village), reviews (township), approvals
    (county civil affairs)."""
    mine = applications_visible_to(user)
    waiting: dict[str, str] = {
        Role.VILLAGE_DIRECTOR: ApplicationStatus.RETURNED,
        Role.TOWNSHIP_SUPERVISOR: ApplicationStatus.SUBMITTED,
        Role.CIVIL_AFFAIRS: ApplicationStatus.TOWNSHIP_APPROVED,
    }
    status = waiting.get(user.role)
    if status is None:
        return "", mine.none()
    return status, mine.filter(status=status).order_by("created_at")


def child_applications(*, user: User, child: Child) -> list[Application]:
    return list(applications_visible_to(user).filter(child=child))


def active_types() -> QuerySet[AssistanceType]:
    return AssistanceType.objects.filter(active=True)


def county_amounts(county: str) -> QuerySet[CountyAmount]:
    return CountyAmount.objects.filter(county_id=county).select_related("type")


def steps_of(application: Application) -> QuerySet[ApplicationStep]:
    return application.steps.select_related("by")
