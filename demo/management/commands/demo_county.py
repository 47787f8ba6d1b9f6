"""`manage.py demo_county [--parcels N] [--seed S] [--force]`: the deterministic demo county."""
from __future__ import annotations

import json
import time

from django.core.exceptions import ValidationError
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from demo.selectors import showcase_list
from demo.services import demo_county_generate
from institutions.models import Institution
from layers.models import Feature, FeaturePart, Layer, LayerVersion, ZoningUnit
from parcels.models import UAT, Building, Issuer, Parcel

SEED_COMMANDS = ("seed_institutions", "seed_rules")


class Command(BaseCommand):
    help = "Generate the demo county around Bacău (UATs, parcels, buildings, layers, zoning, rasters)."

    def add_arguments(self, parser):
        parser.add_argument("--parcels", type=int, default=5_000, help="number of parcels (default 5000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same county)")
        parser.add_argument("--force", action="store_true", help="replace existing demo data")
        parser.add_argument("--skip-seeds", action="store_true",
                            help="do not run seed_institutions / seed_rules afterwards")
        parser.add_argument("--showcase-json", metavar="PATH", help="also write the showcase parcels to PATH")

    def handle(self, *args, **opts):
        started = time.perf_counter()
        self.stdout.write(f"Generating the demo county: {opts['parcels']} parcels, seed {opts['seed']}…")
        try:
            summary = demo_county_generate(parcels=opts["parcels"], seed=opts["seed"], force=opts["force"],
                                           log=self.stdout.write)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        except IntegrityError as exc:
            raise CommandError(f"cannot replace the demo data, other records still refer to it: {exc}") from exc
        # Seeds run after the county exists: institutions take their jurisdiction from its UATs.
        if not opts["skip_seeds"]:
            for name in SEED_COMMANDS:
                if name in get_commands():
                    call_command(name, stdout=self.stdout)
        showcase = [{"key": s.key, "parcel_id": s.parcel_id, "siruta": s.parcel.uat.siruta,
                     "cadastral_number": s.parcel.cadastral_number, "rules": s.rules,
                     "distance_m": s.distance_m, "description": s.description} for s in showcase_list()]
        if opts["showcase_json"]:
            with open(opts["showcase_json"], "w", encoding="utf-8") as fh:
                json.dump({"parcels": opts["parcels"], "seed": opts["seed"], "showcase": showcase}, fh,
                          ensure_ascii=False, indent=1)
        self.stdout.write("\nCounts:")
        for model in (UAT, Issuer, Parcel, Building, Layer, LayerVersion, Feature, FeaturePart, ZoningUnit,
                      Institution):
            self.stdout.write(f"  {model._meta.label:<28} {model.objects.count():>10}")
        self.stdout.write("\nShowcase parcels (key, SIRUTA/cadastral number, distance m, rules):")
        for s in showcase:
            self.stdout.write(f"  {s['key']:<26} {s['siruta']}/{s['cadastral_number']:<8} "
                              f"{s['distance_m']!s:>7}  {','.join(s['rules'])}")
        if summary.missing_showcase:
            self.stderr.write(f"No parcel qualified for: {', '.join(summary.missing_showcase)}")
        self.stdout.write(f"\nDone in {time.perf_counter() - started:.1f} s.")
