"""Deployment checks of the project's own settings, run by `manage.py check --deploy`.

Registered by `ops.apps.OpsConfig.ready` (gis_portal is not an installed app).
"""
from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Warning


def tsa_configured(app_configs=None, **kwargs) -> list[CheckMessage]:
    """Production signs issued documents PAdES B-LT only with a time-stamping authority: without
    `TSA_URL` they are signed B-B, with no signature timestamp, and cannot be validated once the
    signing certificate expires (gis_portal.signing)."""
    if settings.DEBUG or settings.TSA_URL:
        return []
    return [Warning(
        "TSA_URL is empty: issued documents are signed PAdES B-B, without a signature timestamp, and "
        "cannot be validated once the signing certificate expires.",
        hint="Set TSA_URL to the RFC 3161 time-stamping authority (e.g. the qualified TSA of your "
             "certificate's provider).",
        id="gis_portal.W001",
    )]
