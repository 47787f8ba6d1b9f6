from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rules.services import DEFAULT_CSV, rules_load_csv


class Command(BaseCommand):
    help = "Create or update (by code) the spatial rules from a structured CSV (default: rules/data/rules.csv)."

    def add_arguments(self, parser):
        parser.add_argument("--csv", default=str(DEFAULT_CSV), help="structured rules CSV")

    def handle(self, *args, **options):
        try:
            counts = rules_load_csv(path=options["csv"])
        except (ValidationError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("rules: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
