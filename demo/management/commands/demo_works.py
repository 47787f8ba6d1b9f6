"""manage.py demo_works: the demo investor's CU and two ACs with works (demo.works), once.

Run by `demo_setup` after the demo accounts exist (DEMO_MODE only).
"""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from demo.works import demo_works_seed

ACCOUNTS = {"investor": "investitor", "clerk": "functionar", "chief": "arhitect"}


class Command(BaseCommand):
    help = "Give the demo investor a CU and two ACs, one with works under way, one awaiting reception (once)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("demo_works runs only with DEMO_MODE=1")
        users = {u.username: u for u in get_user_model().objects.filter(username__in=ACCOUNTS.values())}
        missing = sorted(set(ACCOUNTS.values()) - set(users))
        if missing:
            raise CommandError(f"The demo accounts {', '.join(missing)} do not exist: run demo_setup.")
        made = demo_works_seed(**{role: users[name] for role, name in ACCOUNTS.items()})
        if made:
            self.stdout.write("Demo permits of `investitor` (once): "
                              + ", ".join(f"{a.get_kind_display()} {a.act.numbering} ({a.get_status_display()})"
                                          for a in made))
