from django.dispatch import receiver

from shouhu.children.signals import categories_changed

from . import services


@receiver(categories_changed)
def reschedule_visits(sender, *, child, gained, lost, on, **kwargs):
    services.on_categories_changed(child=child, gained=gained, lost=lost, on=on)
