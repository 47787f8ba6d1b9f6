"""Builders of the workload tests: clerks of one issuer and registered requests made without the wizard."""
from __future__ import annotations

import pytest

from accounts.models import User
from permits.models import Application


@pytest.fixture
def clerks(cast):
    """Four clerks of issuer_a (carol, the cast's clerk, is made inactive so the four are the only ones)."""
    User.objects.filter(pk=cast["carol"].pk).update(is_active=False)
    return [User.objects.create_user(username=f"clerk{i}", password="x-secret-pass-1", role=User.Role.CLERK,
                                     issuer=cast["issuer_a"], first_name=f"Clerk{i}", last_name="Test")
            for i in range(1, 5)]


@pytest.fixture
def registered(cast, parcel_factory):
    """registered(n=1, uat=None, address="", status="submitted") -> requests of issuer_a, registered, unassigned."""

    def make(n: int = 1, *, uat=None, address: str = "", status: str = "submitted", **kw) -> list[Application]:
        uat = uat or cast["uat_a"]
        apps = []
        for _ in range(n):
            app = Application.objects.create(kind="cu", status=status, owner=cast["alice"], issuer=cast["issuer_a"],
                                             uat=uat, applicant_type="person", applicant_name="Alice Popescu",
                                             applicant_id_code="1800101040017", **kw)
            app.parcels.set([parcel_factory(uat=uat, address=address)])
            apps.append(app)
        return apps

    return make
