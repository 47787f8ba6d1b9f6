"""Generate the demo signing chain (CA, signer PKCS#12, CRL) if it is missing."""
from django.conf import settings
from django.core.management.base import BaseCommand

from gis_portal.signing import demo_certificate_create


class Command(BaseCommand):
    help = ("Create a demo CA, a signing certificate it issues (PKCS#12 at SIGNING_P12_PATH) and the CA's CRL "
            "beside it, if none exists.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Replace an existing certificate.")

    def handle(self, *args, force=False, **options):
        path = settings.SIGNING_P12_PATH
        if demo_certificate_create(path, settings.SIGNING_P12_PASSWORD, force=force):
            self.stdout.write(f"Demo signing certificate written to {path}")
        else:
            self.stdout.write(f"Signing certificate already present at {path}")
