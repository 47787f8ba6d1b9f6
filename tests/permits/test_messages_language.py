"""Every message the API sends back is in the caller's language: Romanian by default, English for an
account that chose it (or a browser that chose it with the language cookie); never an internal code."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


def _in_review(submitted_cu, api, cast):
    alice, pk = submitted_cu()
    carol = api(cast["carol"])
    assert carol.post(f"/api/v1/applications/{pk}/transitions/", {"action": "accept"}, format="json").status_code == 200
    return alice, carol, pk


def test_guards_conflicts_and_roles_answer_in_romanian_by_default(submitted_cu, api, cast):
    alice, carol, pk = _in_review(submitted_cu, api, cast)
    url = f"/api/v1/applications/{pk}/transitions/"
    erin = api(cast["erin"])
    blocked = erin.post(url, {"action": "issue"}, format="json")
    assert blocked.status_code == 400
    assert blocked.json()["errors"] == {"issue": ["Taxa de 9.00 lei nu a fost plătită."]}
    assert blocked["Content-Language"] == "ro"
    conflict = carol.post(url, {"action": "resubmit"}, format="json")
    assert conflict.status_code == 409
    assert "„resubmit” nu este permisă când cererea este „În analiză”" in conflict.json()["detail"]
    assert "in_review" not in conflict.json()["detail"]  # the status by its name, not its code
    denied = alice.post(url, {"action": "refuse", "reason": "x"}, format="json")
    assert denied.status_code == 403 and "Rolul dumneavoastră nu permite" in denied.json()["detail"]
    no_reason = carol.post(url, {"action": "refuse"}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["errors"]["reason"] == [
        "Acțiunea „refuse” cere o motivare scrisă."]
    unknown = carol.post(url, {"action": "teleport"}, format="json")
    assert unknown.status_code == 400 and "„teleport”" not in str(unknown.json()) and "nu este o opțiune validă" in str(unknown.json())


def test_an_account_that_chose_english_gets_english_messages(submitted_cu, api, cast):
    alice, carol, pk = _in_review(submitted_cu, api, cast)
    for name in ("alice", "carol", "erin"):
        cast[name].preferred_language = "en"
        cast[name].save(update_fields=["preferred_language"])
    url = f"/api/v1/applications/{pk}/transitions/"
    blocked = api(cast["erin"]).post(url, {"action": "issue"}, format="json")
    assert blocked.json()["errors"] == {"issue": ["The fee of 9.00 lei has not been paid."]}
    assert blocked["Content-Language"] == "en"
    conflict = carol.post(url, {"action": "resubmit"}, format="json")
    assert conflict.status_code == 409
    assert "“resubmit” is not allowed while the application is “In review”" in conflict.json()["detail"]
    bad_upload = alice.post(f"/api/v1/applications/{pk}/documents/",
                            {"doc_type": "plan_situatie", "file": SimpleUploadedFile("x.txt", b"hello")},
                            format="multipart")
    assert bad_upload.status_code in (400, 409)
    assert "Unsupported file type" in str(bad_upload.json()) or "can no longer be added" in str(bad_upload.json())
    # The language cookie of a browser still wins over the account's choice.
    carol.cookies["django_language"] = "ro"
    again = carol.post(url, {"action": "resubmit"}, format="json")
    assert "nu este permisă" in again.json()["detail"]
