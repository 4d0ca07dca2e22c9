"""Jobs of the registry: they call services, nothing more."""

from celery import shared_task

from . import services


@shared_task(name="shouhu.children.tasks.reclassify_all")
def reclassify_all() -> dict[str, int]:
    return services.reclassify_all()
