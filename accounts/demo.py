"""Demo accounts, one per role, bound to the demo county's first issuer and institutions."""
from __future__ import annotations

from typing import Any

from accounts.mfa import demo_totp_device, second_factor_required, totp_device
from accounts.models import User
from institutions.models import Institution
from parcels.models import Issuer

DEMO_USERS = [
    ("investitor", User.Role.INVESTOR),
    ("functionar", User.Role.CLERK),
    ("arhitect", User.Role.CHIEF_ARCHITECT),
    ("cultura", User.Role.REVIEWER),
    ("electrica", User.Role.REVIEWER),
    ("admin", User.Role.ADMIN),
]
_REVIEWER_KIND = {"cultura": Institution.Kind.CULTURE, "electrica": Institution.Kind.ELECTRICITY}


def ensure_demo_accounts(*, password: str) -> list[User]:
    issuer = Issuer.objects.filter(kind=Issuer.Kind.PRIMAR).order_by("uat__siruta").first()
    users = []
    for username, role in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            extra: dict[str, Any] = {}
            if role in (User.Role.CLERK, User.Role.CHIEF_ARCHITECT):
                extra["issuer"] = issuer
            if role == User.Role.REVIEWER:
                extra["institution"] = Institution.objects.filter(kind=_REVIEWER_KIND[username]).order_by("code").first()
                # Also administers its institution: the webhook settings page (/institution/settings/).
                extra["institution_admin"] = extra["institution"] is not None
            if role == User.Role.ADMIN:
                extra.update(is_staff=True, is_superuser=True)
            user = User.objects.create_user(username=username, password=password, role=role,
                                            email=f"{username}@demo.gis-portal.local", **extra)
        if second_factor_required(user) and totp_device(user) is None:
            demo_totp_device(user=user)  # the README's known secret (DEMO_MODE only)
        users.append(user)
    return users
