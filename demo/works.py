"""Demo permits with works after the AC, so a new user sees those states: the investor's certificate of urbanism,
then two building permits on it, one with its works under way (the start notice given) and one whose works have
ended and wait for the reception by the clerk.

Everything goes through the real services (request, registration, analysis, payment, issue with the signed PDF,
start and end notices), as the demo accounts would have done by hand; the dates are today's. Idempotent: the
demo CU is found by its description, and a second run adds nothing.
"""
from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from accounts.models import User
from demo.selectors import showcase_parcels
from permits import services, workflow, works
from permits.choices import REQUIRED_DOCUMENTS, Kind, Status
from permits.models import Application

# The showcase parcel of a house in Bacău, ~150 m from a monument: in the clerk's city, no culture aviz.
PARCEL_KEY = "monument-150m-urban"
CU_DESCRIPTION = "Demo: locuință P+1 și anexă (strada Bacovia)"
APPLICANT = {"applicant_type": "person", "applicant_name": "Ion Investitorul", "applicant_id_code": "1800101040017",
             "applicant_address": "Str. Bacovia 5, Bacău", "applicant_email": "investitor@demo.gis-portal.local"}
ACS = (
    # description, value (lei), contractor, works ended
    ("Demo: locuință P+1", Decimal("320000"), "Construct Demo SRL", False),
    ("Demo: anexă gospodărească", Decimal("45000"), "Meșteșug Demo SRL", True),
)


def _pdf(name: str):
    """A blank one-page PDF standing for a scanned document of the demo (the form, the plans, the ISC receipts)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def _request(kind: str, data: dict, *, by: User, clerk: User, chief: User) -> Application:
    """One request through its life up to the issue: documents, submit, accept, avize (none here), pay, issue."""
    app = services.application_create(by=by, data={"kind": kind, **APPLICANT, **data})
    for doc_type in REQUIRED_DOCUMENTS[kind]:
        services.document_add(application=app, by=by, doc_type=doc_type, upload=_pdf(f"{doc_type}.pdf"))
    services.application_submit(application=app, by=by)
    services.application_act(application=app, action="accept", by=clerk)
    app.refresh_from_db()
    if app.fee_ron and not app.paid_at:
        services.payment_record(application=app, by=clerk, amount_ron=app.fee_ron, reference=f"DEMO-{app.pk}")
    if "compliance_ok" in workflow.offered_actions(app, chief)[1].get("issue", []):
        services.application_act(application=app, action="override_compliance", by=chief,
                                 reason="Demo: PUZ aprobat pentru amplasament.")
    services.application_act(application=app, action="issue", by=chief)
    app.refresh_from_db()
    return app


@transaction.atomic
def demo_works_seed(*, investor: User, clerk: User, chief: User) -> list[Application]:
    """The demo CU and its two ACs (works under way; works ended, awaiting reception); [] if already there."""
    if Application.objects.filter(owner=investor, kind=Kind.CU, works_description=CU_DESCRIPTION).exists():
        return []
    parcel = showcase_parcels().get(PARCEL_KEY)
    if parcel is None or not (clerk.issuer_id and chief.issuer_id):
        return []  # not the demo county (or no issuer for the demo staff): nothing to show
    cu = _request(Kind.CU, {"parcel_ids": [parcel], "purpose": "construire", "works_kind": "building",
                            "works_description": CU_DESCRIPTION, "works_destination": "house"},
                  by=investor, clerk=clerk, chief=chief)
    made = [cu]
    for description, value, contractor, ended in ACS:
        ac = _request(Kind.AC, {"based_on": cu.pk, "works_kind": "building", "works_description": description,
                                "works_value_ron": value, "residential": True},
                      by=investor, clerk=clerk, chief=chief)
        act = ac.act
        works.works_start_announce(application=ac, by=investor, start_date=act.issued_on, duration_months=12,
                                   contractor_name=contractor, documents=[_pdf("dovada-cote-isc.pdf")])
        if ended:
            works.works_end_announce(application=ac, by=investor, end_date=act.issued_on, final_value_ron=value)
        ac.refresh_from_db()
        assert ac.status == (Status.WORKS_ENDED if ended else Status.WORKS_STARTED), ac.status
        made.append(ac)
    return made
