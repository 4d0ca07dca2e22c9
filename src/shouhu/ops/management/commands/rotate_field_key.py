"""``shouhu rotate-field-key [--batch-size N] [--max-batches N]``: re-encrypt every ID and phone number and
re-hash every lookup hash under SHOUHU_FIELD_KEY, while the system runs (``shouhu.ops.keyrotation``)."""

from django.core.management.base import BaseCommand, CommandError

from shouhu.children import crypto
from shouhu.ops import keyrotation


class Command(BaseCommand):
    help = (
        "Rewrite every value still under a key of SHOUHU_FIELD_KEYS_OLD under SHOUHU_FIELD_KEY, in batches; "
        "resumable, idempotent, logged. Set both variables on every process first (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")
        parser.add_argument(
            "--max-batches", type=int, help="stop after this many batches; run again to go on"
        )

    def handle(self, *args, batch_size=500, max_batches=None, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if not crypto.old_keys():
            self.stdout.write(
                "SHOUHU_FIELD_KEYS_OLD is empty: checking that every value is under the current key"
            )
        try:
            counts = keyrotation.rotate_and_log(batch_size=batch_size, max_batches=max_batches)
        except crypto.FieldKeyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(counts.text())
        if counts.done:
            self.stdout.write("finished: SHOUHU_FIELD_KEYS_OLD may now be removed from every process")
        else:
            self.stdout.write("stopped early: run the command again to go on from here")
