from django.core.management.base import BaseCommand

from institutions.services import institutions_seed


class Command(BaseCommand):
    help = "Create or update (by code) the partner institutions of Bacău county. Idempotent."

    def handle(self, *args, **options):
        counts = institutions_seed()
        self.stdout.write(f"institutions: {counts['created']} created, {counts['updated_or_unchanged']} already present")
