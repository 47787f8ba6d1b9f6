"""Expire issued acts past their validity and lapsed returned applications (the worker runs it daily)."""
from django.core.management.base import BaseCommand
from django.utils import timezone

from permits.expiry import applications_expire


class Command(BaseCommand):
    help = "Expire issued CU/AC/AD past valid_until and applications returned for completion past the term."

    def handle(self, *args, **options):
        counts = applications_expire(now=timezone.now())
        self.stdout.write(f"{counts['acts']} act(s) expired, {counts['returned']} returned application(s) lapsed")
