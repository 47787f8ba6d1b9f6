"""Print the current second-factor code of the demo accounts (DEMO_MODE only; README)."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the demo accounts' current TOTP code (DEMO_MODE only)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("demo_totp runs only with DEMO_MODE=1")
        import time
        from base64 import b32decode

        from django_otp.oath import totp

        from accounts.mfa import DEMO_TOTP_SECRET

        code = totp(b32decode(DEMO_TOTP_SECRET))
        self.stdout.write(f"{code:06d}  (valid about {30 - int(time.time()) % 30} s more)")
