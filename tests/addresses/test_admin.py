"""Staff edit the street register in the admin: a new street with its first name, a renaming that closes
the old name on the day of the change, a refused renaming shown as a message, and a CSV import."""
from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from addresses.models import RegisterImport, Street
from tests.helpers import otp_login

pytestmark = pytest.mark.django_db


def INLINE(street=None) -> dict[str, str]:  # noqa: N802 - the names inline as the change form posts it
    names = list(street.names.order_by("valid_from")) if street else []
    form = {"names-TOTAL_FORMS": str(len(names)), "names-INITIAL_FORMS": str(len(names)), "names-MIN_NUM_FORMS": "0",
            "names-MAX_NUM_FORMS": "1000"}
    for i, name in enumerate(names):
        form |= {f"names-{i}-id": str(name.pk), f"names-{i}-street": str(street.pk)}
    return form


@pytest.fixture
def root(db):
    return User.objects.create(username="root", role=User.Role.ADMIN, is_staff=True, is_superuser=True)


def test_an_admin_adds_a_street_renames_it_and_imports_its_history(territory, root, client):
    otp_login(client, root)
    uat = territory["uat_a"]
    added = client.post("/admin/addresses/street/add/", {"uat": uat.pk, "code": "S-9", "name": "Strada Florilor",
                                                         "on": "1960-01-01", "decision": "HCL 3/1960", "axis": "",
                                                         **INLINE()})
    assert added.status_code == 302, added.content.decode()[:2000]
    street = Street.objects.get(code="S-9")
    url = f"/admin/addresses/street/{street.pk}/change/"
    assert "Strada Florilor" in client.get(url).content.decode()
    renamed = client.post(url, {"uat": uat.pk, "code": "S-9", "name": "Strada Trandafirilor", "on": "2005-05-05",
                                "decision": "HCL 40/2005", "axis": "", **INLINE(street)})
    assert renamed.status_code == 302
    assert list(street.names.order_by("valid_from").values_list("name", "valid_to")) == [
        ("Strada Florilor", date(2005, 5, 5)), ("Strada Trandafirilor", None)]
    refused = client.post(url, {"uat": uat.pk, "code": "S-9", "name": "Strada Crinilor", "on": "", "decision": "",
                                "axis": "", **INLINE(street)})
    assert refused.status_code == 200 and "Indicați data redenumirii" in refused.content.decode()
    assert street.names.count() == 2

    csv = b"uat_siruta,code,name,valid_from,decision\n20297,S-9,Strada Lalelelor,2020-02-02,HCL 9/2020\n"
    imported = client.post("/admin/addresses/street/import/",
                           {"file": SimpleUploadedFile("denumiri.csv", csv, content_type="text/csv")})
    assert imported.status_code == 302
    assert RegisterImport.objects.get().renamings == 1
    assert street.names.get(valid_to__isnull=True).name == "Strada Lalelelor"
    bad = client.post("/admin/addresses/street/import/",
                      {"file": SimpleUploadedFile("x.txt", b"nonsense", content_type="text/plain")})
    assert bad.status_code == 200 and "gpkg" in bad.content.decode()
