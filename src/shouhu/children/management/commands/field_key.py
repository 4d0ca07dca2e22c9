"""`shouhu field-key`: print a new key for SHOUHU_FIELD_KEY (ID and phone numbers are encrypted with it)."""

from django.core.management.base import BaseCommand

from shouhu.children import crypto


class Command(BaseCommand):
    help = "Print a new random field-encryption key for SHOUHU_FIELD_KEY."

    def handle(self, *args, **options):
        self.stdout.write(crypto.generate_key())
