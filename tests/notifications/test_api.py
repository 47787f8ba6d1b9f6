"""The in-app inbox (each user sees only their own) and the admin view of failed deliveries."""
from __future__ import annotations

from procrastinate.contrib.django.models import ProcrastinateJob

from notifications.models import Notification
from notifications.services import notify
from tests.helpers import otp_login
from tests.notifications.conftest import wire_institution


def _status_changed(user, n: int) -> None:
    notify(event="application_status_changed", users=[user], idempotency_key=f"app:{user.pk}:{n}",
           context={"application_number": f"CU-{n}", "new_status": "submitted"})


def test_a_user_sees_only_their_own_in_app_notifications_newest_first(cast, api):
    for n in (1, 2):
        _status_changed(cast["alice"], n)
    _status_changed(cast["bob"], 3)
    response = api(cast["alice"]).get("/api/v1/notifications/")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [r["subject"] for r in response.json()["results"]] == ["Cererea CU-2: submitted", "Cererea CU-1: submitted"]
    assert all(r["is_read"] is False for r in response.json()["results"])


def test_the_inbox_needs_a_login(api):
    assert api().get("/api/v1/notifications/").status_code in (401, 403)


def test_marking_read_moves_a_notification_out_of_the_unread_list(cast, api):
    _status_changed(cast["alice"], 1)
    _status_changed(cast["alice"], 2)
    client = api(cast["alice"])
    first = client.get("/api/v1/notifications/").json()["results"][0]
    response = client.post(f"/api/v1/notifications/{first['id']}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    unread = client.get("/api/v1/notifications/?unread=true").json()
    assert unread["count"] == 1 and unread["results"][0]["id"] != first["id"]
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 0


def test_nobody_can_mark_someone_elses_notification_and_it_stays_unread(cast, api):
    _status_changed(cast["alice"], 1)
    mine = Notification.objects.get(user=cast["alice"], channel="in_app")
    assert api(cast["bob"]).post(f"/api/v1/notifications/{mine.pk}/read/").status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None


def test_a_bad_filter_is_a_400_with_the_field(cast, api):
    response = api(cast["root"]).get("/api/v1/admin/notifications/?status=lost")
    assert response.status_code == 400 and "status" in response.json()["errors"]


def _failed_notification(cast) -> Notification:
    culture = wire_institution(cast["culture"], email="avize@djc-bacau.ro")
    [email] = notify(event="aviz_requested", institution=culture, context={}, idempotency_key="f:1")
    Notification.objects.filter(pk=email.pk).update(status="failed", attempts=15, last_error="SMTP: refused")
    return email


def test_admins_list_failed_notifications_with_their_delivery_log(cast, api, django_assert_max_num_queries):
    failed = _failed_notification(cast)
    _status_changed(cast["alice"], 1)
    client = api(cast["root"])
    # Token, count, page, prefetched attempts: constant whatever the number of rows (no N+1).
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/admin/notifications/?status=failed")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == failed.pk and row["last_error"] == "SMTP: refused"
    assert row["recipient"] == {"kind": "institution", "id": cast["culture"].pk, "name": "djc-bacau"}


def test_only_admins_see_the_delivery_log_or_retry(cast, api):
    failed = _failed_notification(cast)
    for person in ("alice", "carol", "frank"):
        client = api(cast[person])
        assert client.get("/api/v1/admin/notifications/").status_code == 403
        assert client.post(f"/api/v1/admin/notifications/{failed.pk}/retry/").status_code == 403
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_an_admin_retry_starts_a_new_round_and_defers_a_job(cast, api):
    failed = _failed_notification(cast)
    jobs_before = ProcrastinateJob.objects.count()
    response = api(cast["root"]).post(f"/api/v1/admin/notifications/{failed.pk}/retry/")
    assert response.status_code == 202
    assert response.json()["status"] == "pending" and response.json()["attempts"] == 0
    assert ProcrastinateJob.objects.count() == jobs_before + 1
    again = api(cast["root"]).post(f"/api/v1/admin/notifications/{failed.pk}/retry/")
    assert again.status_code == 409  # only failed notifications can be retried


def test_the_admin_changelist_filters_failed_notifications_and_retries_them(cast, client):
    failed = _failed_notification(cast)
    otp_login(client, cast["root"])
    page = client.get("/admin/notifications/notification/?status__exact=failed")
    assert page.status_code == 200 and page.context["cl"].result_count == 1
    response = client.post("/admin/notifications/notification/",
                           {"action": "retry_failed", "_selected_action": [failed.pk]}, follow=True)
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == "pending"
