import datetime as dt

from django.core.management.base import BaseCommand

from shouhu.children.services import reclassify_all


class Command(BaseCommand):
    help = "Apply the category changes that time alone causes (the daily job), for today or --on DATE."

    def add_arguments(self, parser):
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD")

    def handle(self, *args, on, **options):
        counts = reclassify_all(on=on)
        self.stdout.write(
            f"{counts['children']} children checked, {counts['gained']} categories gained, "
            f"{counts['lost']} lost"
        )
