"""Issue 19 item 5: sessions and API tokens expire and are revoked by their user and by an administrator;
document uploads, payments and administrative edits are in the audit trail (who, when, what, before → after),
shown to admins, scoped to an issuer or institution."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts.audit import audit_entries_visible_to
from accounts.models import AuditEntry, UserSession
from tests.helpers import login_through_forms, otp_login

pytestmark = pytest.mark.django_db


def test_each_log_in_is_listed_with_its_device_and_address_and_can_be_ended(cast):
    phone = Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Firefox/128.0 Telefon", REMOTE_ADDR="203.0.113.7")
    desk = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux) Chrome/131.0 Safari/537.36 Birou", REMOTE_ADDR="198.51.100.9")
    login_through_forms(phone, "carol")
    login_through_forms(desk, "carol")
    rows = UserSession.objects.filter(user=cast["carol"])
    assert {(r.address, r.user_agent.split()[-1]) for r in rows} == {("203.0.113.7", "Telefon"), ("198.51.100.9", "Birou")}
    page = desk.get("/account/security/").content.decode()
    assert "203.0.113.7" in page and "198.51.100.9" in page and page.count("data-session=") == 2
    assert "Firefox · Android" in page and "Chrome · Linux" in page
    phone_row = rows.get(address="203.0.113.7")
    assert desk.post(f"/account/security/sessions/{phone_row.pk}/end/").status_code == 302
    ended = phone.get("/staff/queue/")
    assert ended.status_code == 302 and ended["Location"].startswith("/login/")
    assert desk.get("/staff/queue/").status_code == 200
    # someone else's session cannot be ended from here
    other = otp_login(Client(), cast["dave"])
    mine = UserSession.objects.get(user=cast["carol"])
    other.post(f"/account/security/sessions/{mine.pk}/end/")
    assert desk.get("/staff/queue/").status_code == 200


def test_end_every_other_session_and_revoke_the_token(cast, api):
    first, second, third = Client(), Client(), Client()
    for client in (first, second, third):
        login_through_forms(client, "frank")
    token = Token.objects.create(user=cast["frank"])
    assert "Emis la" in first.get("/account/security/").content.decode()
    assert first.post("/account/security/sessions/end/").status_code == 302
    assert second.get("/inbox/").status_code == 302 and third.get("/inbox/").status_code == 302
    assert first.get("/inbox/").status_code == 200
    assert first.post("/account/security/token/revoke/").status_code == 302
    assert not Token.objects.filter(pk=token.pk).exists()
    assert api().get("/api/v1/avize/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 401


def test_a_session_ends_at_its_lifetime_even_when_used(cast, settings):
    client = otp_login(Client(), cast["carol"])
    assert client.get("/staff/queue/").status_code == 200
    UserSession.objects.filter(user=cast["carol"]).update(
        created_at=timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
    assert client.get("/staff/queue/").status_code == 302
    assert "Sesiuni" not in client.get("/account/security/").content.decode()  # logged out: the log-in page
    from accounts.sessions import sessions_prune

    otp_login(Client(), cast["erin"])
    assert sessions_prune() == 1  # the hourly clean-up forgets the expired row, not the live one
    assert list(UserSession.objects.values_list("user__username", flat=True)) == ["erin"]


def test_log_out_forgets_the_session(cast):
    client = otp_login(Client(), cast["erin"])
    assert UserSession.objects.filter(user=cast["erin"]).count() == 1
    client.post("/logout/")
    assert UserSession.objects.filter(user=cast["erin"]).count() == 0


def test_the_administrator_ends_sessions_revokes_tokens_and_resets_the_second_factor(cast):
    carol = cast["carol"]
    carols = Client()
    login_through_forms(carols, "carol")
    token = Token.objects.create(user=carol)
    admin = otp_login(Client(), cast["root"])
    listing = admin.get("/manage/users/?q=carol").content.decode()
    assert f"/manage/users/{carol.pk}/security/" in listing and "dave" not in listing
    page = admin.get(f"/manage/users/{carol.pk}/security/").content.decode()
    assert "data-session=" in page and "Resetează autentificarea" in page
    admin.post(f"/manage/users/{carol.pk}/security/", {"action": "end_sessions"})
    assert carols.get("/staff/queue/").status_code == 302
    admin.post(f"/manage/users/{carol.pk}/security/", {"action": "revoke_token"})
    assert not Token.objects.filter(pk=token.pk).exists()
    admin.post(f"/manage/users/{carol.pk}/security/", {"action": "reset_second_factor"})
    assert not TOTPDevice.objects.filter(user=carol).exists()
    again = Client()
    again.post("/login/", {"username": "carol", "password": "carol-secret-pass"})
    assert again.get("/staff/queue/")["Location"].startswith("/account/second-factor/enrol/")
    actions = list(AuditEntry.objects.filter(target_id=str(carol.pk), actor=cast["root"])
                   .values_list("action", flat=True))
    assert sorted(actions) == ["second_factor_reset", "sessions_revoke", "token_revoke"]
    # only portal admins manage other people's security
    for name in ("erin", "carol", "frank"):
        other = otp_login(Client(), cast[name])
        assert other.get("/manage/users/").status_code == 403
        assert other.get(f"/manage/users/{carol.pk}/security/").status_code == 403


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_uploads_and_payments_are_audited(mapped_world, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from permits.models import Application
    from permits.services import payment_record

    w = mapped_world
    alice = api(w["alice"])
    created = alice.post("/api/v1/applications/", {
        "kind": "cu", "applicant_type": "person", "applicant_name": "Alice Popescu",
        "applicant_id_code": "1800101040017", "parcel_ids": [w["parcels"][0].pk], "purpose": "construire",
        "works_kind": "building", "works_description": "Locuință P+1"}, format="json")
    pk = created.json()["id"]
    from tests.web.conftest import _pdf as real_pdf

    upload = SimpleUploadedFile("plan.pdf", real_pdf(), content_type="application/pdf")
    assert alice.post(f"/api/v1/applications/{pk}/documents/", {"doc_type": "plan_situatie", "file": upload},
                      format="multipart").status_code == 201
    entry = AuditEntry.objects.get(action="document_upload")
    assert entry.actor == w["alice"] and entry.target_type == "permits.document"
    assert entry.changes["original_name"] == [None, "plan.pdf"] and len(entry.changes["sha256"][1]) == 64
    app = Application.objects.get(pk=pk)
    app.issuer, app.fee_ron = w["issuer_a"], Decimal("15.00")
    app.save(update_fields=["issuer", "fee_ron"])
    payment_record(application=app, by=w["carol"], amount_ron=Decimal("15.00"), reference="CH-77")
    paid = AuditEntry.objects.get(action="payment_recorded")
    assert paid.actor == w["carol"] and paid.issuer_id == w["issuer_a"].pk
    assert paid.changes["state"] == ["pending", "paid"] and paid.changes["amount_ron"] == [None, "15.00"]
    # the chief architect of issuer_a sees it; the other issuer's clerk and the reviewers do not
    assert paid in audit_entries_visible_to(w["erin"])
    assert not audit_entries_visible_to(w["dave"]).exists()
    assert otp_login(Client(), w["erin"]).get("/manage/audit/").content.decode().count('data-action="payment_recorded"') == 1


def test_admin_edits_are_audited_with_before_and_after(cast):
    from permits.models import FeeSchedule

    admin = otp_login(Client(), cast["root"])
    response = admin.post("/admin/permits/feeschedule/add/", {
        "uat": cast["uat_a"].pk, "cu_bands": "[[null, 10]]", "cu_per_m2_over_1000": "0.01",
        "address_certificate_ron": "9.00", "council_decision": "HCL 1/2026"})
    assert response.status_code == 302, response.content.decode()[:2000]
    schedule = FeeSchedule.objects.get(uat=cast["uat_a"])
    response = admin.post(f"/admin/permits/feeschedule/{schedule.pk}/change/", {
        "uat": cast["uat_a"].pk, "cu_bands": "[[null, 12]]", "cu_per_m2_over_1000": "0.01",
        "address_certificate_ron": "9.00", "council_decision": "HCL 9/2026"})
    assert response.status_code == 302
    change = AuditEntry.objects.get(action="admin_change", target_type="permits.feeschedule")
    assert change.actor == cast["root"]
    assert change.changes["council_decision"] == ["HCL 1/2026", "HCL 9/2026"]
    assert change.changes["cu_bands"] == ["[[None, 10]]", "[[None, 12]]"]
    assert "cu_per_m2_over_1000" not in change.changes
    assert AuditEntry.objects.filter(action="admin_add", target_id=str(schedule.pk)).exists()
    # a user's role changed in the admin: before → after, the password hash never written
    carol = cast["carol"]
    page = admin.get(f"/admin/accounts/user/{carol.pk}/change/")
    assert page.status_code == 200
    admin.post("/admin/accounts/user/", {"action": "end_sessions", "_selected_action": [carol.pk]})
    assert AuditEntry.objects.filter(action="sessions_revoke", target_id=str(carol.pk)).exists()
    shown = admin.get("/manage/audit/").content.decode()
    assert "HCL 1/2026 → HCL 9/2026" in shown


def test_webhook_settings_are_audited_and_scoped_to_the_institution(cast):
    frank = cast["frank"]
    frank.institution_admin = True
    frank.save(update_fields=["institution_admin"])
    client = otp_login(Client(), frank)
    client.post("/institution/settings/", {"webhook_url": "https://193.231.20.1/hooks/portal"})
    entry = AuditEntry.objects.get(action="webhook_set")
    assert entry.institution_id == cast["culture"].pk
    assert entry.changes["webhook_url"] == ["", "https://193.231.20.1/hooks/portal"]
    client.post("/institution/settings/", {"action": "rotate"})
    rotated = AuditEntry.objects.get(action="webhook_secret_rotate")
    assert rotated.changes == {"webhook_secret": ["••••", "••••"]}  # the secret itself is never written
    assert set(audit_entries_visible_to(frank)) == {entry, rotated}
    assert not audit_entries_visible_to(cast["grace"]).exists()
    assert set(audit_entries_visible_to(cast["root"])) >= {entry, rotated}


def test_the_audit_trail_is_append_only(cast):
    otp_login(Client(), cast["root"]).post(f"/manage/users/{cast['carol'].pk}/security/", {"action": "revoke_token"})
    entry = AuditEntry.objects.get()
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditentry SET action = 'nothing' WHERE id = %s", [entry.pk])


def test_a_cycled_session_key_is_followed_or_the_ended_session_forgotten(cast):
    from accounts.sessions import session_rekey

    old = UserSession.objects.create(user=cast["carol"], session_key="a" * 32)
    session_rekey(old_key="a" * 32, new_key="b" * 32)  # the same session goes on (a password change)
    old.refresh_from_db()
    assert old.session_key == "b" * 32
    UserSession.objects.create(user=cast["alice"], session_key="c" * 32)
    session_rekey(old_key="b" * 32, new_key="c" * 32)  # another account signed in on that browser
    assert list(UserSession.objects.values_list("user__username", flat=True)) == ["alice"]
