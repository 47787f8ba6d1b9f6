"""Reads of the permits app, already scoped to what the caller may see."""
from __future__ import annotations

from functools import cache

from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import JSONArray
from django.http import Http404

from permits.choices import Status
from permits.models import Application, Document, IssuedAct, TransitionEvent


def applications_visible_to(user) -> QuerySet[Application]:
    """THE scoping of applications, used by the API, the web pages and the avize app alike.

    Admins see all; issuer staff (clerks, the chief architect) their issuer's registered applications
    (a draft is private to its applicant); reviewers those their institution was consulted on (the
    `aviz_requests` relation of the avize app); anyone else their own; anonymous callers none.
    """
    qs = Application.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_portal_admin:
        return qs
    if user.is_issuer_staff:
        # Drafts are private to the applicant until they are registered.
        return qs.filter(issuer_id=user.issuer_id).exclude(status=Status.DRAFT)
    if user.role == "reviewer":
        if not user.institution_id:
            return qs.none()
        return qs.filter(pk__in=Application.objects.filter(aviz_requests__institution_id=user.institution_id)
                         .values("pk"))
    return qs.filter(owner=user)


# What a list row shows (permits.api.serializers.ApplicationOutput) and what its allowed actions read.
_LIST_FIELDS = ("kind", "status", "owner_id", "uat_id", "issuer_id", "registration_number", "registration_year",
                "registered_at", "applicant_type", "applicant_name", "purpose", "works_kind", "based_on_id", "fee_ron",
                "paid_at", "completeness_due", "due_date", "valid_until", "created_at", "uat__siruta", "issuer__name",
                "act__register", "act__number", "act__year", "act__issued_on", "act__sha256", "act__verify_code")


@cache  # built once per process: annotate() resolves a copy of it for each queryset
def _parcels_shown() -> Subquery:
    """`[[id, cadastral_number, uat_id], …]` of the application's parcels, read in the same statement
    (a prefetch is one more query, and compiling it cost more CPU than running it)."""
    return Subquery(Application.parcels.through.objects.filter(application_id=OuterRef("pk"))
                    .values("application_id")
                    .annotate(rows=JSONBAgg(JSONArray("parcel_id", "parcel__cadastral_number", "parcel__uat_id"),
                                            order_by="parcel_id"))
                    .values("rows"))  # type: ignore[misc]  # django-stubs misses the annotation after values()


def application_list(*, user) -> QuerySet[Application]:
    # Only the columns the list shows: not the frozen analysis (a large JSON document), the footprint, a
    # UAT's boundary or the parcels' geometries; each extra column also costs Django compilation time.
    return (applications_visible_to(user).select_related("uat", "issuer", "act").only(*_LIST_FIELDS)
            .annotate(parcels_shown=_parcels_shown()).order_by("-id"))


def _one(queryset: QuerySet[Application], pk) -> Application:
    # get(), not first(): first() orders by pk, and compiling an ORDER BY over a wide select_related
    # (every column hashed, ~20 ms under load) cost more than running the query itself.
    try:
        return queryset.get(pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None


def application_get(*, user, pk) -> Application:
    """The application a write acts on, with what the services and guards read."""
    return _one(applications_visible_to(user).select_related("uat", "issuer", "owner", "based_on", "act")
                .defer("uat__boundary").prefetch_related("parcels", "documents"), pk)


def application_detail(*, user, pk) -> Application:
    """What the detail shows (ApplicationDetailOutput): narrower than application_get, which writes use.

    The owner and the CU an AC is based on are not joined (the output shows their ids; a guard that
    needs the CU loads it), the parcels are only what the output shows, the documents come without files.
    """
    documents = Document.objects.only("id", "application_id", "doc_type", "original_name", "content_type", "size",
                                      "sha256", "uploaded_at")
    return _one(applications_visible_to(user).select_related("uat", "issuer", "act").defer("uat__boundary")
                .annotate(parcels_shown=_parcels_shown()).prefetch_related(Prefetch("documents", queryset=documents)), pk)


def application_timeline(*, application: Application, user=None) -> QuerySet[TransitionEvent]:
    """The audit trail of the application; who works on it inside the issuer (the "assign" events) is
    shown to the issuer's staff and admins only."""
    events = application.events.select_related("by", "assigned_from", "assigned_to").order_by("at", "id")
    if user is None or not (user.is_portal_admin or user.is_issuer_staff):
        events = events.exclude(action="assign")
    return events


def document_get(*, user, pk) -> Document:
    doc = Document.objects.select_related("application").filter(pk=pk).first()
    if doc is None or not applications_visible_to(user).filter(pk=doc.application_id).exists():
        raise Http404
    if user.role == "reviewer" and not user.is_portal_admin and not _shared_with_institution(doc, user.institution_id):
        raise Http404  # an institution sees only the documents its aviz requests carried
    return doc


def _shared_with_institution(doc: Document, institution_id: int | None) -> bool:
    if institution_id is None:
        return False
    return doc.application.aviz_requests.filter(
        institution_id=institution_id, documents__contains=[{"id": doc.pk}]).exists()


def act_by_code(*, code) -> IssuedAct:
    act = (IssuedAct.objects.select_related("application__issuer")
           .filter(verify_code=code).first())
    if act is None:
        raise Http404
    return act


OPEN = (Status.SUBMITTED, Status.IN_REVIEW, Status.RESUBMITTED, Status.AVIZE)


def register_entries(*, siruta: int, kind: str | None, month: tuple[int, int] | None) -> QuerySet[IssuedAct]:
    qs = IssuedAct.objects.filter(application__parcels__uat__siruta=siruta).distinct()
    if kind:
        qs = qs.filter(application__kind=kind)
    if month:
        qs = qs.filter(issued_on__year=month[0], issued_on__month=month[1])
    return (qs.select_related("application__issuer")
            .prefetch_related("application__parcels__uat").order_by("issued_on", "number"))


def public_excavations(*, siruta: int | None = None) -> QuerySet[Application]:
    """Excavation permits authorised and not closed (planned or under way): the public layer and register.
    Callers show the legally public fields only (permits.api.public.excavation_entry)."""
    from permits.choices import EXCAVATION_LIVE, Kind

    qs = (Application.objects.filter(kind=Kind.EXCAVATION, status__in=EXCAVATION_LIVE, act__isnull=False)
          .select_related("excavation", "act", "uat", "issuer").order_by("excavation__starts_on", "id"))
    if siruta is not None:
        qs = qs.filter(uat__siruta=siruta)
    return qs
