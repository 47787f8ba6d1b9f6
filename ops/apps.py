from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: backup and restore of the database and the stored documents (no models)."""

    name = "ops"
    verbose_name = "Operations"
