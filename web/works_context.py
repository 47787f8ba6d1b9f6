"""What the request page shows of the works after an AC/AD (permits.works): facts, ISC quotas, the fee
regularisation, receptions, the site panel, and the forms the state machine offers the user now."""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from permits import workflow
from permits.choices import PERMIT_KINDS, Kind, Status
from permits.works import quotas_of
from web.forms import ReceptionForm, ReferenceForm, WorksEndForm, WorksStartForm

PANEL_STATUSES = (Status.ISSUED, Status.WORKS_STARTED, Status.WORKS_ENDED)


def works_context(app, user, actions: list[str], *, start_form=None, end_form=None, reception_form=None,
                  reference_form=None) -> dict[str, Any] | None:
    if app.kind not in PERMIT_KINDS or app.status not in (*PANEL_STATUSES, Status.CLOSED):
        return None
    works = getattr(app, "works", None)
    today = timezone.localdate()
    staff = bool(workflow.roles_of(user, app) & workflow.STAFF)
    context: dict[str, Any] = {
        "works": works, "quotas": quotas_of(app), "receptions": list(app.receptions.select_related("report")),
        "staff": staff, "is_ac": app.kind == Kind.AC,
        "panel_url": reverse("permits:site-panel-pdf", args=[app.pk])
        if app.status in PANEL_STATUSES and hasattr(app, "act") else "",
        "start_form": start_form or (WorksStartForm(initial={"start_date": today, "duration_months": 12})
                                     if "announce_start" in actions else None),
        "end_form": end_form or (WorksEndForm(initial={"end_date": today, "final_value_ron": app.works_value_ron})
                                 if "announce_end" in actions else None),
        "reception_form": reception_form or (ReceptionForm(initial={"reception_date": today, "outcome": "admitted"})
                                             if "record_reception" in actions else None),
    }
    if works is not None and works.regularisation_ron is not None and staff:
        open_pay = works.regularisation_ron > 0 and works.regularisation_paid_at is None
        open_refund = works.regularisation_ron < 0 and works.refunded_at is None
        if open_pay or open_refund:
            context["reference_form"] = reference_form or ReferenceForm()
            context["reference_action"] = "pay" if open_pay else "refund"
    if works is not None and works.regularisation_ron is not None:
        context["difference_abs"] = abs(works.regularisation_ron)
    return context
