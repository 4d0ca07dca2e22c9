"""Shouhu (守护): care and protection of rural left-behind children and children in difficulty."""

from .celery import app as celery_app

__all__ = ["celery_app"]
