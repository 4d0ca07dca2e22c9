"""The stored names that the rule of ``children.names`` refuses, by record id, for a person to correct.

Names are personal data: the list gives the kind of record and its id, never the name."""

from django.core.management.base import BaseCommand

from shouhu.accounts.models import User, WelfareWorker
from shouhu.children import names
from shouhu.children.models import Carer, Child, Parent, RescueContact

FIELDS = (
    (Child, "name"),
    (Parent, "name"),
    (Carer, "name"),
    (RescueContact, "name"),
    (User, "full_name"),
    (WelfareWorker, "name"),
)


def names_to_fix() -> list[tuple[str, object]]:
    """(model, id) of each stored name the rule refuses as it stands."""
    found = []
    for model, field in FIELDS:
        rows = model.objects.exclude(**{field: ""}).values_list("pk", field).order_by("pk")
        for pk, name in rows.iterator(chunk_size=2000):
            if names.refusal(names.normalise(name)) or names.normalise(name) != name:
                found.append((model.__name__, pk))
    return found


class Command(BaseCommand):
    help = "List by record id the stored person names that the name rule refuses (never the names)."

    def handle(self, *args, **options):
        found = names_to_fix()
        for model, pk in found:
            self.stdout.write(f"{model} {pk}")
        self.stdout.write(f"{len(found)} names to correct")
