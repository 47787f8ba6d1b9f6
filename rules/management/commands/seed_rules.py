from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rules.services import DEFAULT_CSV, WORKS_CSV, rules_load_csv, works_rules_load_csv


class Command(BaseCommand):
    help = ("Create or update (by code) the spatial rules and the works rules from their CSVs "
            "(default: rules/data/rules.csv and rules/data/works_rules.csv).")

    def add_arguments(self, parser):
        parser.add_argument("--csv", default=str(DEFAULT_CSV), help="structured rules CSV")
        parser.add_argument("--works-csv", default=str(WORKS_CSV), help="works rules CSV")

    def handle(self, *args, **options):
        try:
            counts = rules_load_csv(path=options["csv"])
            works = works_rules_load_csv(path=options["works_csv"])
        except (ValidationError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("rules: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        self.stdout.write("works rules: " + ", ".join(f"{v} {k}" for k, v in works.items()))
