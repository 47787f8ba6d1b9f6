from django.apps import AppConfig
from django.core import checks

from gis_portal.checks import tsa_configured


class OpsConfig(AppConfig):
    """Operations: backup and restore of the database and the stored documents (no models), and the
    deployment checks of the project's settings (gis_portal.checks)."""

    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        checks.register(tsa_configured, checks.Tags.security, deploy=True)
