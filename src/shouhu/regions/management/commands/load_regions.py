from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shouhu.regions.codes import InvalidCode
from shouhu.regions.loader import RegionFileError, load_regions


class Command(BaseCommand):
    help = "Load a division and everything below it (e.g. 341623, Lixin County) from the shipped data."

    def add_arguments(self, parser):
        parser.add_argument("code", help="division code: 2, 4, 6, 9 or 12 digits")
        parser.add_argument("--from", dest="path", type=Path, help="a newer edition as a 'code,name' CSV")

    def handle(self, *args, code, path, **options):
        if path is not None and not path.exists():
            raise CommandError(f"{path}: no such file")
        try:
            result = load_regions(code, path=path)
        except (RegionFileError, InvalidCode) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{code}: {result.townships} townships, {result.villages} villages "
            f"({result.created} created, {result.updated} updated)"
        )
