"""Prepare the demo: load the demo county when the database is empty, create one account per role.

Called by `make run`. Idempotent: a second run changes nothing and is quick.
Demo accounts exist only in DEMO_MODE; their password comes from DEMO_PASSWORD.
"""
from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from parcels.models import Parcel


class Command(BaseCommand):
    help = "Load the demo county if the database is empty and create the demo accounts."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("demo_setup runs only with DEMO_MODE=1")
        if not Parcel.objects.exists():
            self.stdout.write("Loading the demo county (first run only)…")
            call_command("demo_county", stdout=self.stdout)
        # Seeds are idempotent upserts, so running them on every start keeps the demo current.
        for command in ("seed_institutions", "seed_rules", "signing_demo_cert"):
            if command in get_commands():
                call_command(command, stdout=self.stdout)
        from accounts.demo import ensure_demo_accounts

        accounts = ensure_demo_accounts(password=settings.DEMO_PASSWORD)
        if "demo_works" in get_commands():  # the demo app (a higher layer) gives the investor permits with works
            call_command("demo_works", stdout=self.stdout)
        self.stdout.write(f"\nDemo accounts (password: DEMO_PASSWORD, default {settings.DEMO_PASSWORD!r}):")
        for user in accounts:
            self.stdout.write(f"  {user.username:<16} {user.get_role_display()}")
        from accounts.mfa import DEMO_TOTP_SECRET

        self.stdout.write(f"\nSecond factor of the staff and reviewer accounts (demo only): the TOTP secret "
                          f"{DEMO_TOTP_SECRET} in any authenticator app (6 digits, 30 s), or the current code "
                          f"from `.venv/bin/python manage.py demo_totp`.")
