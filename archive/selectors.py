"""Reads of the archive, scoped to the caller.

The archive is the issuer's working record: its staff (and portal admins) see every act, holder, text
and scan of their issuer's archive. Anyone else sees, on a parcel, only the acts the law makes public:
issued building and demolition permits (AC / AD: the monthly public list of Norme 839/2009 art. 4,
and the site panel), as kind, number and year. Holders' names in the old archive, the OCR text, the CUs
(information for one applicant) and every scan (annexes carry private plans and identity data) stay
with the issuer's staff.
"""
from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, Func, QuerySet
from django.urls import reverse

from archive.matching import fold, issuer_uat_ids
from archive.models import SEARCH_CONFIG, ArchiveAct, ArchiveFile
from parcels.models import Parcel
from permits.models import Application, Kind, Status
from permits.selectors import applications_visible_to

PUBLIC_KINDS = ("ac", "ad")


def acts_visible_to(user) -> QuerySet[ArchiveAct]:
    """THE scoping of archive acts: all for admins, the issuer's for its staff, none for anyone else."""
    qs = ArchiveAct.objects.select_related("parcel", "parcel__uat", "issuer")
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_portal_admin:
        return qs
    if user.is_issuer_staff:
        return qs.filter(issuer_id=user.issuer_id)
    return qs.none()


def files_visible_to(user) -> QuerySet[ArchiveFile]:
    return ArchiveFile.objects.filter(act__in=acts_visible_to(user).values("pk"))


def review_queue(user) -> QuerySet[ArchiveAct]:
    return acts_visible_to(user).filter(parcel__isnull=True).order_by("year", "kind", "number")


def search(user, *, q: str = "", number: str = "", year: int | None = None, holder: str = "",
           kind: str = "") -> QuerySet[ArchiveAct]:
    """Full-text (no diacritics needed, web-search syntax: words, "phrases", -excluded) and filters."""
    qs = acts_visible_to(user)
    if q:
        query = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
        qs = qs.filter(search=query).annotate(rank=SearchRank(F("search"), query)).order_by("-rank", "-year", "number")
    if number:
        qs = qs.filter(number__iexact=number)
    if year:
        qs = qs.filter(year=year)
    if holder:
        qs = qs.annotate(holder_folded=Func(F("holder"), function="unaccent")).filter(holder_folded__icontains=fold(holder))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def sees_full_history(user, parcel: Parcel) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_portal_admin:
        return True
    return bool(user.is_issuer_staff and user.issuer and parcel.uat_id in issuer_uat_ids(user.issuer))


def parcel_history(parcel: Parcel, user) -> list[dict]:
    """The acts on a parcel, old (archive) and new (portal applications), newest first, as the caller
    may see them (see the module's note)."""
    full = sees_full_history(user, parcel)
    archive = ArchiveAct.objects.filter(parcel=parcel).prefetch_related("files")
    apps = Application.objects.filter(parcels=parcel).select_related("act").exclude(status=Status.DRAFT)
    if full:
        apps = apps.filter(pk__in=applications_visible_to(user).values("pk")) if not user.is_portal_admin else apps
    else:
        archive = archive.filter(kind__in=PUBLIC_KINDS)
        apps = apps.filter(act__isnull=False, kind__in=[Kind.AC, Kind.AC_EXTENSION, Kind.AD])
    rows: list[dict] = []
    for act in archive:
        row = {"source": "archive", "kind": act.kind, "number": act.number, "year": act.year, "date": None}
        if full:
            row.update(holder=act.holder, id=act.pk, matched_by=act.matched_by,
                       url=reverse("web:archive-act", args=[act.pk]),
                       files=[{"name": f.original_name, "role": f.role,
                               "url": reverse("archive:file", args=[f.pk])} for f in act.files.all()])
        rows.append(row)
    for app in apps:
        issued = getattr(app, "act", None)
        row = {"source": "portal", "kind": app.kind, "status": app.status,
               "number": str(issued.number) if issued else (str(app.registration_number or "")),
               "year": issued.year if issued else app.registration_year,
               "date": issued.issued_on.isoformat() if issued else None}
        if full:
            row.update(holder=app.applicant_name, id=app.pk, url=reverse("web:request-detail", args=[app.pk]))
        rows.append(row)
    rows.sort(key=lambda r: (r["year"] or 0, r["date"] or ""), reverse=True)
    return rows
