"""Mark issued acts whose validity has passed as expired (run daily by the worker or cron)."""
from django.core.management.base import BaseCommand
from django.utils import timezone

from permits.choices import Status
from permits.models import Application
from permits.workflow import transition


class Command(BaseCommand):
    help = "Expire issued CU/AC/AD whose valid_until date has passed."

    def handle(self, *args, **options):
        ids = Application.objects.filter(status=Status.ISSUED, valid_until__lt=timezone.localdate()) \
            .values_list("pk", flat=True)
        count = 0
        for pk in ids:
            transition(application=pk, action="expire", by=None, reason="Termen de valabilitate depășit.")
            count += 1
        self.stdout.write(f"{count} act(s) expired")
