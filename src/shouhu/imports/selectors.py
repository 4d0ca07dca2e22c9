"""Reads of import jobs: a job is its uploader's alone (it holds the file's names and numbers)."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from shouhu.accounts import access
from shouhu.accounts.models import User

from .models import ImportJob


def jobs_of(user: User, limit: int = 10) -> QuerySet[ImportJob]:
    if not access.can_create_children(user):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(created_by=user).order_by("-created_at")[:limit]


def job_for(user: User, pk: uuid.UUID | str) -> ImportJob:
    """The user's own job, or 404 (the same answer for another's job and for none)."""
    job = ImportJob.objects.filter(pk=pk, created_by_id=user.pk).first()
    if job is None or not access.can_create_children(user):
        raise Http404
    return job
