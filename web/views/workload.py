"""The back office's workload pages: the issuer's assignment policy, its UAT/locality mapping and its clerks'
leave (the head of the urbanism department: the chief architect), assignment of one request by hand, and the
performance indicators dashboard with its CSV exports."""
from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import Leave, User
from accounts.requests import signed_in
from indicators import export
from indicators.selectors import Scope, institution_indicators, scope_for, work_indicators
from parcels.models import UAT, Issuer, Locality
from permits import assignment
from permits.models import AssignmentPolicy, AssignmentRule
from web import charts, selectors
from web.forms import AssignForm, AssignmentPolicyForm, AssignmentRuleForm, LeaveForm, PeriodForm


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for messages_ in getattr(exc, "message_dict", {"": exc.messages}).values() for m in messages_]


def _managed_issuer(request: HttpRequest) -> Issuer:
    """The issuer whose assignment the user manages: a chief architect's own, an admin's choice."""
    user = signed_in(request)
    if user.is_portal_admin:
        wanted = request.GET.get("issuer") or request.POST.get("issuer") or ""
        issuers = Issuer.objects.order_by("name")
        issuer = issuers.filter(pk=int(wanted)).first() if wanted.isdigit() else issuers.first()
        if issuer is None:
            raise Http404
        return issuer
    if user.role == User.Role.CHIEF_ARCHITECT and user.issuer_id:
        return user.issuer  # type: ignore[return-value]
    raise PermissionDenied


def _places(issuer: Issuer) -> list[tuple[str, list[tuple[str, str]]]]:
    uats = UAT.objects.filter(pk=issuer.uat_id) if issuer.uat_id else UAT.objects.filter(county=issuer.county)
    uats = uats.defer("boundary").order_by("name")
    localities = Locality.objects.filter(uat__in=uats).select_related("uat").order_by("uat__name", "name")
    return [(_("UAT"), [(f"uat:{u.pk}", u.name) for u in uats]),
            (_("Localități"), [(f"loc:{loc.pk}", f"{loc.name} ({loc.uat.name})") for loc in localities])]


@login_required
def assignment_settings(request: HttpRequest) -> HttpResponse:
    issuer = _managed_issuer(request)
    by = signed_in(request)
    clerks = assignment.clerks_of(issuer.pk)
    policy = AssignmentPolicy.objects.filter(issuer=issuer).first()
    choices = [(k, _(label)) for k, label in AssignmentPolicy.Kind.choices]
    forms = {
        "policy": AssignmentPolicyForm(choices=choices, initial={"kind": policy.kind if policy else "round_robin"},
                                       prefix="policy"),
        "rule": AssignmentRuleForm(places=_places(issuer), clerks=clerks, prefix="rule"),
        "leave": LeaveForm(clerks=clerks, prefix="leave"),
    }
    action = request.POST.get("action", "")
    if request.method == "POST":
        done = _post(request, action, issuer, by, forms, clerks)
        if done:
            return redirect(f"{reverse('web:assignment')}?{urlencode({'issuer': issuer.pk})}")
    today = timezone.localdate()
    loads = assignment.open_counts(issuer.pk)
    away = assignment.absent_ids(issuer.pk, today)
    people = [{"user": c, "open": loads.get(c.pk, 0), "absent": c.pk in away} for c in clerks]
    return render(request, "web/assignment.html", {
        "issuer": issuer, "policy": policy, "forms": forms, "people": people,
        "unassigned": selectors.staff_queue(by).filter(issuer=issuer, assigned_to__isnull=True,
                                                       status__in=assignment.OPEN_WORK).count(),
        "rules": AssignmentRule.objects.filter(issuer=issuer).select_related("uat", "locality__uat", "clerk"),
        "leaves": Leave.objects.filter(user__issuer=issuer, end__gte=today - timedelta(days=30))
                               .select_related("user").order_by("start", "id"),
        "issuers": Issuer.objects.order_by("name") if by.is_portal_admin else None,
    }, status=400 if request.method == "POST" else 200)


def _post(request: HttpRequest, action: str, issuer: Issuer, by: User, forms: dict, clerks) -> bool:
    """Apply one of the page's forms; True when done (redirect), False to show the form's errors."""
    try:
        if action == "policy":
            form: AssignmentPolicyForm | AssignmentRuleForm | LeaveForm
            form = forms["policy"] = AssignmentPolicyForm(request.POST, choices=forms["policy"].fields["kind"].choices,
                                                          prefix="policy")
            if not form.is_valid():
                return False
            assignment.policy_set(issuer_id=issuer.pk, kind=form.cleaned_data["kind"], by=by)
            messages.success(request, _("Regula de repartizare a fost salvată."))
        elif action == "rule":
            form = forms["rule"] = AssignmentRuleForm(request.POST, places=_places(issuer), clerks=clerks, prefix="rule")
            if not form.is_valid():
                return False
            kind, _sep, pk = form.cleaned_data["place"].partition(":")
            assignment.rule_set(issuer_id=issuer.pk, clerk=form.cleaned_data["clerk"], by=by,
                                uat_id=int(pk) if kind == "uat" else None, locality_id=int(pk) if kind == "loc" else None)
            messages.success(request, _("Repartizarea pe zone a fost salvată."))
        elif action == "rule_delete":
            rule = get_object_or_404(AssignmentRule, pk=request.POST.get("rule", "0")[:12] or 0, issuer=issuer)
            assignment.rule_delete(rule=rule, by=by)
            messages.success(request, _("Rândul a fost șters."))
        elif action == "leave":
            form = forms["leave"] = LeaveForm(request.POST, clerks=clerks, prefix="leave")
            if not form.is_valid():
                return False
            d = form.cleaned_data
            _leave, moved = assignment.leave_record(user=d["user"], start=d["start"], end=d["end"], by=by,
                                                    reason=d["reason"])
            messages.success(request, ngettext(
                "Concediul a fost înregistrat; %(n)s cerere în lucru a fost repartizată altui coleg.",
                "Concediul a fost înregistrat; %(n)s cereri în lucru au fost repartizate altor colegi.", moved)
                % {"n": moved})
        elif action == "leave_delete":
            leave = get_object_or_404(Leave, pk=request.POST.get("leave", "0")[:12] or 0, user__issuer=issuer)
            assignment.leave_delete(leave=leave, by=by)
            messages.success(request, _("Concediul a fost șters."))
        else:
            raise Http404
    except ValidationError as exc:
        for text in _messages_of(exc):
            messages.error(request, text)
        return False
    return True


@login_required
@require_POST
def request_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """The head of the department gives one request to a clerk (the request page's form)."""
    by = signed_in(request)
    app = get_object_or_404(selectors.applications_for(by), pk=pk)
    assignment.require_head(by, app.issuer_id)
    form = AssignForm(request.POST, staff=selectors.assignable_staff(app.issuer_id))
    if form.is_valid():
        try:
            assignment.assign_by_hand(application=app, to=form.cleaned_data["assigned_to"], by=by,
                                      reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for text in _messages_of(exc):
                messages.error(request, text)
        else:
            messages.success(request, _("Cererea a fost repartizată."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("web:request-detail", pk=app.pk)


# ---- indicators -------------------------------------------------------------------------------------
def _period(request: HttpRequest) -> tuple[PeriodForm, Scope, date, date]:
    user = signed_in(request)
    issuers = Issuer.objects.order_by("name") if user.is_portal_admin else None
    today = timezone.localdate()
    default_start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # the previous month and this one
    data = request.GET if "start" in request.GET else None
    form = PeriodForm(data, issuers=issuers, initial={"start": default_start, "end": today})
    start, end, issuer = default_start, today, None
    if data is not None and form.is_valid():
        start, end, issuer = form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data.get("issuer")
    scope = scope_for(user, issuer_id=issuer.pk if issuer else None)
    if scope is None:
        raise PermissionDenied
    return form, scope, start, end


@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    form, scope, start, end = _period(request)
    rows = work_indicators(scope=scope, start=start, end=end)
    issuers = [r for r in rows if r.whole_issuer]
    clerks = [r for r in rows if not r.whole_issuer]
    institutions = institution_indicators(scope=scope, start=start, end=end)
    unassigned = _("Nerepartizate")
    params = {"start": start.isoformat(), "end": end.isoformat()}
    if scope.issuer_ids and signed_in(request).is_portal_admin:
        params["issuer"] = str(scope.issuer_ids[0])
    query = urlencode(params)
    return render(request, "web/indicators.html", {
        "form": form, "start": start, "end": end, "query": query, "issuers": issuers, "clerks": clerks,
        "institutions": institutions, "unassigned": unassigned,
        "work_chart": charts.bars([(r.clerk or unassigned, (r.received, r.resolved, r.pending)) for r in clerks],
                                  [_("Primite"), _("Soluționate"), _("În lucru")]) if clerks else None,
        "time_chart": charts.bars([(r.clerk or unassigned, (r.median_wd, r.p90_wd)) for r in clerks],
                                  [_("Mediana"), _("Percentila 90")]) if clerks else None,
        "avize_chart": charts.bars([(r.institution, (r.received, r.answered_in_time, r.tacit)) for r in institutions],
                                   [_("Primite"), _("Răspunsuri în termen"), _("Aprobate tacit")])
                       if institutions else None,
        "multi_issuer": len(issuers) > 1,
    }, status=200 if form.is_valid() or not form.is_bound else 400)


CSV_TABLES = ("issuers", "clerks", "institutions")


@login_required
def indicators_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in CSV_TABLES:
        raise Http404
    _form, scope, start, end = _period(request)
    if table == "institutions":
        data = export.to_csv(export.institution_columns(), institution_indicators(scope=scope, start=start, end=end))
    else:
        rows = [r for r in work_indicators(scope=scope, start=start, end=end) if r.whole_issuer == (table == "issuers")]
        data = export.to_csv(export.work_columns(per_clerk=table == "clerks"), rows)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    filename = f"indicatori-{table}-{start.isoformat()}-{end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
