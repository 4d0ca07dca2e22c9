import contextlib

from django.core.management.base import BaseCommand, CommandError

from shouhu.demo import population
from shouhu.demo import seed as demo
from shouhu.demo.quiet import quiet_logs


class Command(BaseCommand):
    help = (
        "Create the demo: Lixin County's divisions, a synthetic population of children (ID numbers with "
        "sequence 900-999), organisations, child directors and supervisors, and one account per role. "
        "Demo only: never run it against a production database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=3000, help="how many children (default 3000)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--reset", action="store_true", help="delete the demo population and create it anew"
        )
        group.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing (and succeed) when the demo is already there",
        )

    def handle(self, *args, children: int, seed: int, reset: bool, if_missing: bool, **options):
        if children < population.MIN_CHILDREN:
            raise CommandError(f"--children must be at least {population.MIN_CHILDREN}")
        existing = demo.demo_children().count()
        if existing and if_missing:
            self.stdout.write(f"The demo is already seeded ({existing} demo children); nothing to do.")
            return
        if existing and not reset:
            raise CommandError(self.already_there(existing))
        # Verbosity 1 (the default): a line before and one after; 2: the progress, the details and the
        # log lines of what seeding sets off (each text message sent, WeasyPrint's progress).
        verbose = options.get("verbosity", 1) >= 2
        self.stdout.write(f"Seeding {children} demo children (seed {seed}); this takes a minute or two ...")
        try:
            with contextlib.nullcontext() if verbose else quiet_logs():
                result = demo.seed(
                    children=children,
                    seed=seed,
                    reset=reset,
                    progress=(lambda i, n: self.stdout.write(f"  {i} / {n}")) if verbose else None,
                )
        except demo.DemoExists as exc:
            raise CommandError(self.already_there(exc)) from exc
        except demo.DemoInUse as exc:
            raise CommandError(
                f"The demo population cannot be deleted, other records refer to it ({exc}); nothing was "
                "changed. Start from a fresh database instead (delete var/shouhu.sqlite3), or on PostgreSQL "
                "reset with the owner role (DATABASE_URL set to DATABASE_OWNER_URL)."
            ) from exc
        for line in demo.summary(result) if verbose else [demo.one_line(result)]:
            self.stdout.write(line)
        self.stdout.write(
            self.style.WARNING(
                f"DEMO ONLY: the {len(demo.ACCOUNTS)} demo accounts share the password {demo.PASSWORD!r}. "
                "List them with `shouhu demo-accounts`."
            )
        )

    @staticmethod
    def already_there(what) -> str:
        return (
            f"The demo population is already in this database ({what} demo children); nothing was changed. "
            "Run `shouhu seed-demo --reset` to delete it and seed again."
        )
