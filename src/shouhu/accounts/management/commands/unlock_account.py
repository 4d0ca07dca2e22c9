from django.core.management.base import BaseCommand, CommandError

from shouhu.accounts import services
from shouhu.accounts.models import User


class Command(BaseCommand):
    help = "Unlock an account locked after repeated failed sign-ins (from every address)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not User.objects.filter(username=username).exists():
            raise CommandError(f"There is no account named {username!r}.")
        cleared = services.account_unlock(username=username)
        self.stdout.write(
            self.style.SUCCESS(
                f"{username} can sign in again ({cleared} record(s) of failed sign-ins cleared)."
            )
        )
