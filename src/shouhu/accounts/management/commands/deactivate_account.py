from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from shouhu.accounts import services
from shouhu.accounts.models import User


def _user(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise CommandError(f"There is no account named {username!r}.") from exc


class Command(BaseCommand):
    help = (
        "Close the account of someone who left their post: sessions and tokens end, the post ends, open "
        "work items and child grants go to the successor. Nothing is deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--successor", help="the account that takes over the work and the children")
        parser.add_argument("--reason", required=True, help="why (recorded)")
        parser.add_argument("--by", required=True, dest="actor", help="the administrator doing it (recorded)")

    def handle(self, *args, username: str, successor: str | None, reason: str, actor: str, **options):
        try:
            record = services.account_deactivate(
                actor=_user(actor),
                user=_user(username),
                successor=_user(successor) if successor else None,
                reason=reason,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{username} deactivated: {record.items_moved} work item(s) and {record.grants_moved} "
                f"grant(s) handed over, {record.posts_ended} post(s) ended."
            )
        )
