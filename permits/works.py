"""The works of an issued AC/AD: start and end notices, reminders, fee regularisation, reception.

Law 50/1991 art. 7: works start within the AC's validity; the holder tells the issuer and the State
Construction Inspectorate (ISC) before starting ("comunicare privind începerea execuției lucrărilor", with
proof of the ISC quotas) and when they end ("comunicare privind încheierea execuției lucrărilor"). Within 15
days the fee is regularised on the real value of the works (Codul fiscal art. 474). The reception at the
end of works (HG 343/2017) is recorded by the issuer's staff, whose representative sits on the commission;
an admitted reception closes the file, a rejected one keeps it open. Each step is a transition of
permits.workflow; the maths is in permits.fees (pure).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import User
from institutions.models import Institution
from notifications.models import Notification
from notifications.services import notify
from permits import fees, links, workflow
from permits.choices import PERMIT_KINDS, DocType, Kind, Status
from permits.models import Application, Payment, Reception, Works
from permits.services import document_store
from workdays import calendar

WORKS_ACTIONS = ("announce_start", "announce_end", "record_reception")
MAX_DURATION_MONTHS = 120
MAX_DOCUMENTS = 10
ISC_KIND = "isc"


def _d(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def start_term_problem(app: Application, today: date) -> str | None:
    """Why works may not start on `today` (the AC's start term has passed), or None."""
    if app.valid_until is not None and today > app.valid_until:
        return _("Termenul de începere a lucrărilor a expirat la %(until)s: autorizația nu mai permite începerea "
                 "lucrărilor. Este necesară o nouă autorizație.") % {"until": _d(app.valid_until)}
    return None


def isc_for(app: Application) -> Institution | None:
    """The State Construction Inspectorate of the issuer's county (an institution of kind ISC)."""
    county = app.issuer.county if app.issuer_id and app.issuer else ""
    return Institution.objects.filter(kind=ISC_KIND, active=True, county__iexact=county).order_by("pk").first()


def quotas_of(app: Application, value=None) -> fees.IscQuotas | None:
    value = value if value is not None else app.works_value_ron
    return fees.isc_quotas(value) if value is not None and value >= 0 else None


def _staff_of(app: Application):
    if app.issuer_id is None:
        return User.objects.none()
    return User.objects.filter(role__in=(User.Role.CLERK, User.Role.CHIEF_ARCHITECT), issuer_id=app.issuer_id,
                               is_active=True)


def _notice(app: Application, works: Works, *, which: str) -> None:
    """The start or end notice to the ISC of the county and to the issuer's staff (webhook, e-mail, in-app)."""
    act = getattr(app, "act", None)
    quotas = quotas_of(app)
    context = {
        "notice": which, "application_id": app.pk, "url": links.application_url(app.pk),
        "document_kind": app.get_kind_display(), "document_number": act.numbering if act else app.registration,
        "issued_on": act.issued_on.isoformat() if act else None, "issuer": app.issuer.name if app.issuer else "",
        "holder": app.applicant_name, "works": app.works_description,
        "parcels": [p.cadastral_number for p in app.parcels.all()],
        "start_date": works.start_date.isoformat(), "duration_months": works.duration_months,
        "end_due": works.end_due.isoformat(), "contractor": works.contractor_name,
        "end_date": works.end_date.isoformat() if works.end_date else None,
        "final_value_ron": str(works.final_value_ron) if works.final_value_ron is not None else None,
        "isc_quota_law_50_ron": str(quotas.law_50_ron) if quotas else None,
        "isc_quota_law_10_ron": str(quotas.law_10_ron) if quotas else None,
    }
    key = f"permits:works:{which}:{app.pk}"
    isc = isc_for(app)
    if isc is not None:
        notify(event="works_notice", institution=isc, context=context, idempotency_key=f"{key}:isc")
    notify(event="works_notice", users=list(_staff_of(app)), context=context, idempotency_key=f"{key}:issuer")


def _check_uploads(uploads: Sequence, field: str, *, required: bool) -> None:
    if required and not uploads:
        raise ValidationError({field: [_("Atașați documentul cerut.")]})
    if len(uploads) > MAX_DOCUMENTS:
        raise ValidationError({field: [_("Cel mult %(n)s fișiere.") % {"n": MAX_DOCUMENTS}]})


@transaction.atomic
def works_start_announce(*, application: Application, by, start_date: date, duration_months: int,
                         contractor_name: str = "", documents: Sequence = ()) -> Application:
    """The holder's start notice: the start date within the AC's validity, the authorised duration, and the
    proof of the ISC quotas (0,1 % and half of the 0,5 %) as documents."""
    documents = list(documents)
    _check_uploads(documents, "documents", required=True)
    if not 1 <= int(duration_months) <= MAX_DURATION_MONTHS:
        raise ValidationError({"duration_months": [_("Durata de execuție este între 1 și %(n)s luni.")
                                                   % {"n": MAX_DURATION_MONTHS}]})
    today = timezone.localdate()

    def effects(app: Application) -> None:
        act = getattr(app, "act", None)
        if act is not None and start_date < act.issued_on:
            raise ValidationError({"start_date": [_("Lucrările nu pot începe înainte de emiterea autorizației "
                                                    "(%(date)s).") % {"date": _d(act.issued_on)}]})
        if app.valid_until is not None and start_date > app.valid_until:
            raise ValidationError({"start_date": [_("Lucrările trebuie să înceapă în termenul de valabilitate al "
                                                    "autorizației, până la %(until)s.") % {"until": _d(app.valid_until)}]})
        if start_date < today - timedelta(days=1):
            raise ValidationError({"start_date": [_("Comunicarea se face înainte de începerea lucrărilor: data de "
                                                    "începere nu poate fi în trecut.")]})
        works = Works.objects.create(application=app, start_date=start_date, duration_months=int(duration_months),
                                     end_due=calendar.add_months(start_date, int(duration_months)),
                                     contractor_name=(contractor_name or "").strip()[:200],
                                     start_announced_at=timezone.now())
        for upload in documents:
            document_store(application=app, by=by, doc_type=DocType.DOVADA_COTE_ISC, upload=upload)
        _notice(app, works, which="start")

    return workflow.transition(application=application, action="announce_start", by=by, effects=effects,
                               reason=f"Începerea lucrărilor: {start_date:%d.%m.%Y}")  # the audit trail is Romanian


@transaction.atomic
def works_end_announce(*, application: Application, by, end_date: date, final_value_ron) -> Application:
    """The holder's end notice with the real (final) value of the works; for an AC the fee is regularised."""
    today = timezone.localdate()

    def effects(app: Application) -> None:
        works = Works.objects.select_for_update().get(application=app)
        if end_date < works.start_date or end_date > today:
            raise ValidationError({"end_date": [_("Data terminării este între începerea lucrărilor (%(start)s) și "
                                                  "astăzi.") % {"start": _d(works.start_date)}]})
        value = fees._positive(final_value_ron, "final_value_ron")
        works.end_date, works.end_announced_at, works.final_value_ron = end_date, timezone.now(), value
        if app.kind == Kind.AC:
            result = fees.regularisation(final_value_ron=value, residential=app.residential,
                                         initial_fee_ron=app.fee_ron or Decimal("0"))
            works.regularised_fee_ron, works.regularisation_ron = result.regularised_fee_ron, result.difference_ron
            works.regularisation_breakdown = result.as_dict()
            works.regularisation_due = calendar.deadline(today, "works_regularisation", app.issuer_id).due
        works.save()
        _notice(app, works, which="end")

    return workflow.transition(application=application, action="announce_end", by=by, effects=effects,
                               reason=f"Terminarea lucrărilor: {end_date:%d.%m.%Y}")


def _staff_locked(application: Application, by) -> tuple[Application, Works]:
    app = Application.objects.select_for_update().get(pk=application.pk)
    if not workflow.roles_of(by, app) & workflow.STAFF:
        raise PermissionDenied(_("Doar personalul emitentului înregistrează plăți și restituiri."))
    works = Works.objects.select_for_update().filter(application=app).first()
    if works is None or works.regularisation_ron is None:
        raise ValidationError({"regularisation": [_("Taxa nu a fost încă regularizată.")]})
    return app, works


@transaction.atomic
def works_regularisation_pay(*, application: Application, by, reference: str) -> Payment:
    """Staff record the payment of a positive difference (a receipt of the issuer's cash desk)."""
    app, works = _staff_locked(application, by)
    assert works.regularisation_ron is not None
    if works.regularisation_ron <= 0:
        raise ValidationError({"reference": [_("Nu există o diferență de plată.")]})
    if works.regularisation_paid_at is not None:
        raise ValidationError({"reference": [_("Diferența a fost deja plătită.")]})
    reference = (reference or "").strip()[:64]
    if not reference:
        raise ValidationError({"reference": [_("Completați numărul chitanței.")]})
    if Payment.objects.filter(issuer=app.issuer, provider="cash_desk", reference=reference,
                              recorded_by__isnull=False).exists():
        raise ValidationError({"reference": [_("Această chitanță este deja înregistrată.")]})
    now = timezone.now()
    payment = Payment.objects.create(application=app, issuer_id=app.issuer_id, provider="cash_desk",
                                     reference=reference, amount_ron=works.regularisation_ron,
                                     purpose=Payment.Purpose.REGULARISATION, state=Payment.State.PAID,
                                     recorded_by=by, paid_at=now)
    works.regularisation_paid_at = now
    works.save(update_fields=["regularisation_paid_at"])
    audit_record(actor=by, action="payment_recorded", target=payment, issuer_id=app.issuer_id, changes={
        "purpose": [None, "regularisation"], "amount_ron": [None, str(payment.amount_ron)], "reference": [None, reference]})
    return payment


def regularisation_due_ron(app: Application) -> Decimal:
    """The positive difference still to pay (the caller holds the application's lock)."""
    works = Works.objects.select_for_update().filter(application=app).first()
    if works is None or works.regularisation_ron is None or works.regularisation_ron <= 0:
        raise ValidationError({"purpose": [_("Nu există o diferență de plată.")]})
    if works.regularisation_paid_at is not None:
        raise ValidationError({"purpose": [_("Diferența a fost deja plătită.")]})
    return works.regularisation_ron


def regularisation_paid(app: Application, *, payment: Payment, amount_ron) -> Payment:
    """A provider confirmed the online payment of the difference (permits.payments.payment_callback)."""
    works = Works.objects.select_for_update().get(application=app)
    if Decimal(amount_ron) != payment.amount_ron or payment.amount_ron != works.regularisation_ron:
        raise ValidationError({"amount_ron": [_("Diferența este de %(due)s lei, nu %(amount)s.")
                                              % {"due": works.regularisation_ron, "amount": amount_ron}]})
    if payment.state != Payment.State.PAID:
        now = timezone.now()
        payment.state, payment.paid_at = Payment.State.PAID, now
        payment.save(update_fields=["state", "paid_at"])
        if works.regularisation_paid_at is None:
            works.regularisation_paid_at = now
            works.save(update_fields=["regularisation_paid_at"])
    return payment


@transaction.atomic
def works_refund_record(*, application: Application, by, reference: str) -> Works:
    """Staff record the refund of a negative difference (the payment order's number)."""
    app, works = _staff_locked(application, by)
    assert works.regularisation_ron is not None
    if works.regularisation_ron >= 0:
        raise ValidationError({"reference": [_("Nu există o sumă de restituit.")]})
    if works.refunded_at is not None:
        raise ValidationError({"reference": [_("Restituirea a fost deja înregistrată.")]})
    reference = (reference or "").strip()[:64]
    if not reference:
        raise ValidationError({"reference": [_("Completați numărul ordinului de plată.")]})
    works.refunded_at, works.refund_reference, works.refund_recorded_by = timezone.now(), reference, by
    works.save(update_fields=["refunded_at", "refund_reference", "refund_recorded_by"])
    audit_record(actor=by, action="payment_refunded", target=app, issuer_id=app.issuer_id, changes={
        "amount_ron": [None, str(-works.regularisation_ron)], "reference": [None, reference]})
    return works


@transaction.atomic
def works_reception_record(*, application: Application, by, reception_date: date, issuer_representative: str,
                           members: Iterable[str], outcome: str, remarks: str = "", report=None) -> Reception:
    """The reception at the end of works: commission (with the issuer's representative), outcome, remarks and
    the signed report. Admitted (with or without remarks): the file is closed; rejected: it stays open."""
    if outcome not in Reception.Outcome.values:
        raise ValidationError({"outcome": [_("Alegeți rezultatul recepției.")]})
    representative = (issuer_representative or "").strip()[:200]
    others = [m.strip()[:200] for m in members if m and m.strip()][:30]
    if not representative:
        raise ValidationError({"issuer_representative": [_("Comisia de recepție include reprezentantul "
                                                           "emitentului: completați numele.")]})
    if not others:
        raise ValidationError({"members": [_("Completați ceilalți membri ai comisiei (cel puțin reprezentantul "
                                             "investitorului).")]})
    remarks = (remarks or "").strip()[:4000]
    if outcome != Reception.Outcome.ADMITTED and not remarks:
        raise ValidationError({"remarks": [_("Scrieți obiecțiile sau motivele respingerii.")]})
    if report is None:
        raise ValidationError({"report": [_("Încărcați procesul-verbal de recepție semnat.")]})
    if reception_date > timezone.localdate():
        raise ValidationError({"reception_date": [_("Data recepției nu poate fi în viitor.")]})
    created: list[Reception] = []

    def effects(app: Application) -> None:
        works = Works.objects.filter(application=app).first()
        if works is not None and works.end_date and reception_date < works.end_date:
            raise ValidationError({"reception_date": [_("Recepția se face după terminarea lucrărilor (%(date)s).")
                                                      % {"date": _d(works.end_date)}]})
        doc = document_store(application=app, by=by, doc_type=DocType.PV_RECEPTIE, upload=report)
        commission = [{"name": representative, "role": "reprezentantul emitentului"},
                      *({"name": m, "role": ""} for m in others)]
        created.append(Reception.objects.create(application=app, date=reception_date, commission=commission,
                                                outcome=outcome, remarks=remarks, report=doc, recorded_by=by))

    label = Reception.Outcome(outcome).label
    workflow.transition(application=application, action="record_reception", by=by, effects=effects,
                        keep_status=outcome == Reception.Outcome.REJECTED,
                        reason=f"Recepție {reception_date:%d.%m.%Y}: {label}" + (f" — {remarks}" if remarks else ""))
    return created[0]


# ---- reminders (periodic task `works_reminders`) -------------------------------------------------
def _remind(app: Application, *, which: str, deadline: date, today: date) -> int:
    key = f"permits:works:{which}-reminder:{app.pk}:{deadline.isoformat()}"
    if Notification.objects.filter(idempotency_key=key).exists():
        return 0
    with transaction.atomic():
        notify(event="works_reminder", users=[app.owner], email_to=app.applicant_email, idempotency_key=key,
               context={"reminder": which, "application_id": app.pk, "url": links.application_url(app.pk),
                        "document_kind": app.get_kind_display(), "document_number": app.registration,
                        "deadline": deadline.isoformat(), "days_left": (deadline - today).days})
    return 1


def works_reminders(*, now: datetime) -> dict[str, int]:
    """Remind holders once before the start deadline (valid_until) and once before the end of the authorised
    duration; the windows are the `works_start_reminder` / `works_end_reminder` policies (days)."""
    today = timezone.localdate(now)
    done = {"start": 0, "end": 0}
    start_until = today + timedelta(days=calendar.policy("works_start_reminder").amount)
    for app in (Application.objects.filter(status=Status.ISSUED, kind__in=PERMIT_KINDS,
                                           valid_until__gte=today, valid_until__lte=start_until)
                .select_related("owner").order_by("pk")):
        assert app.valid_until is not None
        done["start"] += _remind(app, which="start", deadline=app.valid_until, today=today)
    end_until = today + timedelta(days=calendar.policy("works_end_reminder").amount)
    for works in (Works.objects.filter(application__status=Status.WORKS_STARTED, end_due__gte=today,
                                       end_due__lte=end_until)
                  .select_related("application__owner").order_by("pk")):
        done["end"] += _remind(works.application, which="end", deadline=works.end_due, today=today)
    return done
