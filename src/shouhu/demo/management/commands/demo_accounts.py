import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from shouhu.demo import seed as demo


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "List the demo accounts (one per role) with their demo-only password; --json for scripts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="print a JSON list of {username, password, role, region_code}",
        )

    def handle(self, *args, as_json: bool, **options):
        rows = demo.account_rows()
        if as_json:
            keys = ("username", "password", "role", "region_code")
            self.stdout.write(
                json.dumps([{k: r[k] for k in keys} for r in rows], ensure_ascii=False, indent=2)
            )
            return
        if not rows:
            raise CommandError(
                "There are no demo accounts in this database. Create them with `shouhu seed-demo`."
            )
        table = [("username", "role", "region", "name")] + [
            (
                r["username"],
                f"{r['role']} {r['role_name']}",
                f"{r['region_code']} {r['region_name']}",
                r["full_name"],
            )
            for r in rows
        ]
        widths = [max(_width(row[i]) for row in table) for i in range(4)]
        for n, row in enumerate(table):
            self.stdout.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write(
            self.style.WARNING(
                f"DEMO ONLY: every account above has the password {demo.PASSWORD!r}. "
                "Never use them in production."
            )
        )
        self.stdout.write(
            self.style.WARNING(
                f"DEMO ONLY: {demo.OTP_ACCOUNT} signs in with a two-factor code: add the secret "
                f"{demo.OTP_SECRET} (TOTP, 6 digits, 30 s) to an authenticator app. civil-affairs and admin "
                "set up their own authenticator at first sign-in."
            )
        )
