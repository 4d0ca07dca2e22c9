"""Archiving follows the registry: a child who leaves the register (or turns 18, which the nightly
re-classification records as an exit) is archived as soon as the file says so."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from shouhu.children.models import Child


@receiver(post_save, sender=Child, dispatch_uid="privacy.archive_on_exit")
def archive_on_exit(sender, instance: Child, raw: bool = False, **kwargs) -> None:
    if raw or not instance.exited_on:
        return
    from . import services

    services.archive_child(child=instance)
