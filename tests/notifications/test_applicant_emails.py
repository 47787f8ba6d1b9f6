"""E-mails to an applicant go to the contact address of the request and link the request (and, for an
issued act, the signed document and its verification page), absolute from settings.SITE_URL."""
from __future__ import annotations

import pytest

from notifications.models import Notification
from notifications.services import notification_deliver

pytestmark = pytest.mark.django_db


def _deliver_emails() -> None:
    for pk in Notification.objects.filter(channel="email", status="pending").values_list("pk", flat=True):
        assert notification_deliver(notification_id=pk) == "delivered"


def _subject(message) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(message["Subject"])))


def _body(message) -> str:
    return message.get_payload(decode=True).decode()


def test_the_issued_email_goes_to_the_contact_address_with_links_to_the_request_the_act_and_its_check(
        cast, parcel_factory, smtp, settings, signing):
    from permits import services
    from permits.choices import REQUIRED_DOCUMENTS
    from tests.hardening.conftest import _pdf_upload

    settings.SITE_URL = "https://urbanism.example.ro"
    alice, carol, erin = cast["alice"], cast["carol"], cast["erin"]
    parcel = parcel_factory()
    app = services.application_create(by=alice, data={
        "kind": "cu", "applicant_type": "person", "applicant_name": "Alice Popescu",
        "applicant_id_code": "1800101040017", "applicant_email": "contact@familia-popescu.ro",
        "parcel_ids": [parcel.pk], "purpose": "construire", "works_kind": "building",
        "works_description": "Locuință P+1"})
    for doc_type in REQUIRED_DOCUMENTS["cu"]:
        services.document_add(application=app, by=alice, doc_type=doc_type, upload=_pdf_upload(f"{doc_type}.pdf"))
    services.application_submit(application=app, by=alice)
    services.application_act(application=app, action="accept", by=carol)
    app.refresh_from_db()
    if app.fee_ron:
        services.payment_record(application=app, by=carol, amount_ron=app.fee_ron, reference="CH-1")
    services.application_act(application=app, action="issue", by=erin, validity_months=12)
    _deliver_emails()
    app.refresh_from_db()
    to_alice = [m for m in smtp.messages if m["X-Notification-Event"] == "application_status_changed"]
    assert {m["To"] for m in to_alice} == {"contact@familia-popescu.ro"}  # never alice@example.ro
    issued = next(m for m in to_alice if _subject(m).endswith("Emisă"))
    body = _body(issued)
    assert f"Detalii: https://urbanism.example.ro/requests/{app.pk}/" in body
    assert f"Documentul semnat (PDF): https://urbanism.example.ro/api/v1/applications/{app.pk}/act.pdf" in body
    assert f"Verificarea autenticității: https://urbanism.example.ro/verify/{app.act.verify_code}" in body
    # every message to her links the request page
    assert all(f"https://urbanism.example.ro/requests/{app.pk}/" in _body(m) for m in to_alice)


def test_without_a_contact_address_the_account_address_is_used(cast, smtp):
    from notifications.services import notify

    notify(event="application_status_changed", users=[cast["alice"]], email_to="", idempotency_key="k:1",
           context={"application_number": "CU-1", "new_status": "issued"})
    _deliver_emails()
    assert [m["To"] for m in smtp.messages] == ["alice@example.ro"]
