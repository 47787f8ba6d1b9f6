"""Writes of the archive: the bulk import of a manifest and its scans, placing an act, its text.

`archive_import` works row by row, each row in its own transaction: a bad row (a missing or hostile
file, an unknown kind) is reported with its reasons and the batch goes on. Importing the same manifest
again changes nothing (an act is keyed by issuer, kind, year and number; a file by its SHA-256), and
never undoes a clerk's placement.
"""
from __future__ import annotations

import csv
import hashlib
import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from archive import files, ocr
from archive.matching import Matcher, issuer_uat_ids
from archive.models import SEARCH_CONFIG, ArchiveAct, ArchiveFile
from parcels.models import Issuer, Parcel

logger = logging.getLogger(__name__)

MANIFEST_MAX_BYTES = 8 * 1024 * 1024
COLUMNS = ("number", "year", "kind", "holder", "cadastral_number", "address", "files")
KINDS = {"cu": "cu", "ac": "ac", "ad": "ad", "other": "other", "alt": "other", "altul": "other"}


@dataclass
class RowResult:
    row: int  # the line of the manifest (the header is line 1)
    outcome: str  # created, updated, unchanged, error
    act_id: int | None = None
    matched_by: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def failed(self) -> list[RowResult]:
        return [r for r in self.rows if r.outcome == "error"]

    @property
    def placed(self) -> int:
        return sum(1 for r in self.rows if r.outcome != "error" and r.matched_by)

    @property
    def queued(self) -> int:
        return sum(1 for r in self.rows if r.outcome != "error" and not r.matched_by)


def _require_archivist(by: User | None, issuer: Issuer) -> None:
    if by is None:  # the management command: the operator of the server
        return
    if not (by.is_portal_admin or (by.is_issuer_staff and by.issuer_id == issuer.pk)):
        raise PermissionDenied(_("Doar personalul emitentului poate importa în arhiva lui."))


def manifest_rows(data: bytes) -> list[dict[str, str]]:
    """The manifest's rows (header names as in COLUMNS, `;`-separated file names), bounded."""
    if len(data) > MANIFEST_MAX_BYTES:
        raise ValidationError({"manifest": [_("Manifestul depășește 8 MB.")]})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"manifest": [_("Manifestul trebuie să fie un fișier CSV în UTF-8.")]}) from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") and "files" not in sample.split("\n", 1)[0].split(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("number", "year", "kind", "files") if c not in header]
    if missing:
        raise ValidationError({"manifest": [_("Manifestului îi lipsesc coloanele: %(cols)s.") % {"cols": ", ".join(missing)}]})
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    for row in reader:
        if len(rows) >= settings.ARCHIVE_MAX_MANIFEST_ROWS:
            raise ValidationError({"manifest": [_("Manifestul are mai mult de %(n)s rânduri.")
                                                % {"n": settings.ARCHIVE_MAX_MANIFEST_ROWS}]})
        rows.append({k: (v or "").strip() if isinstance(v, str) else "" for k, v in row.items() if k})
    return rows


def _row_fields(row: dict[str, str]) -> tuple[dict, list[str]]:
    errors = []
    number = row.get("number", "")
    if not number or len(number) > 32:
        errors.append(_("Numărul actului lipsește sau are peste 32 de caractere."))
    try:
        year = int(row.get("year", ""))
        if not 1850 <= year <= timezone.localdate().year:
            raise ValueError
    except ValueError:
        year = 0
        errors.append(_("Anul „%(year)s” nu este valid.") % {"year": row.get("year", "")[:10]})
    kind = KINDS.get(row.get("kind", "").lower())
    if kind is None:
        errors.append(_("Tipul „%(kind)s” nu este unul dintre CU, AC, AD, other.") % {"kind": row.get("kind", "")[:20]})
    names = [n.strip() for n in row.get("files", "").split(";") if n.strip()]
    if not names:
        errors.append(_("Rândul nu numește niciun fișier scanat."))
    return {"number": number[:32], "year": year, "kind": kind, "holder": row.get("holder", "")[:200],
            "cadastral_number": row.get("cadastral_number", "")[:32], "address": row.get("address", "")[:255],
            "names": names}, errors


def archive_import(*, issuer: Issuer, manifest: bytes, source: files.Source, by: User | None = None) -> ImportReport:
    """Import every row of the manifest; the acts whose text is to be extracted get a background job."""
    _require_archivist(by, issuer)
    report = ImportReport()
    rows = manifest_rows(manifest)
    matcher = Matcher(issuer)
    for line, row in enumerate(rows, start=2):
        fields, errors = _row_fields(row)
        if errors:
            report.rows.append(RowResult(row=line, outcome="error", errors=errors))
            continue
        scans, errors = [], []
        for role_index, name in enumerate(fields["names"]):
            try:
                scans.append((role_index, files.scan_check(name, source.read(name))))
            except files.FileRefused as refused:
                errors.append(str(refused))
        if errors:
            report.rows.append(RowResult(row=line, outcome="error", errors=errors))
            continue
        report.rows.append(_import_row(issuer=issuer, fields=fields, scans=scans, matcher=matcher, line=line))
    return report


@transaction.atomic
def _import_row(*, issuer: Issuer, fields: dict, scans: list, matcher: Matcher, line: int) -> RowResult:
    key = {"issuer": issuer, "kind": fields["kind"], "year": fields["year"], "number": fields["number"]}
    act = ArchiveAct.objects.select_for_update().filter(**key).first()
    created = act is None
    if act is None:
        act = ArchiveAct(**key)
    changed = created
    for name in ("holder", "cadastral_number", "address"):
        if getattr(act, name) != fields[name]:
            setattr(act, name, fields[name])
            changed = True
    if act.matched_by != ArchiveAct.MatchedBy.MANUAL:
        parcel_id, how = matcher.match(cadastral_number=act.cadastral_number, address=act.address)
        if (parcel_id, how) != (act.parcel_id, act.matched_by):
            act.parcel_id, act.matched_by = parcel_id, how
            changed = True
    known = set() if created else set(act.files.values_list("sha256", flat=True))
    new_files = []
    for index, scan in scans:
        digest = hashlib.sha256(scan.data).hexdigest()
        if digest in known:
            continue
        known.add(digest)
        stored = ArchiveFile(role=ArchiveFile.Role.ACT if index == 0 else ArchiveFile.Role.ANNEX,
                             original_name=scan.name[:255], content_type=scan.content_type, size=len(scan.data),
                             pages=scan.pages, sha256=digest)
        stored.file.save(f"{digest[:2]}/{digest}.{'pdf' if scan.content_type == files.PDF else 'tif'}",
                         ContentFile(scan.data), save=False)
        new_files.append(stored)
    if new_files:
        act.text_status = ArchiveAct.TextStatus.PENDING
        changed = True
    if changed:
        act.save()
    if new_files:
        for stored in new_files:
            stored.act = act
        ArchiveFile.objects.bulk_create(new_files)
        from archive.tasks import archive_extract_text

        archive_extract_text.defer(act_id=act.pk)
    outcome = "created" if created else "updated" if changed else "unchanged"
    return RowResult(row=line, outcome=outcome, act_id=act.pk, matched_by=act.matched_by)


def act_text_extract(*, act_id: int) -> None:
    """Extract the text of the act's files that have none yet, then refresh its searchable text."""
    texts = []
    for stored in ArchiveFile.objects.filter(act_id=act_id).order_by("pk"):
        if not stored.text_source:
            with stored.file.open("rb") as fh:
                data = fh.read(settings.ARCHIVE_MAX_FILE_BYTES + 1)
            try:
                stored.text, how = ocr.extract(data, content_type=stored.content_type, pages=stored.pages)
            except ocr.ExtractionFailed as failure:
                logger.warning("Archive file %s: %s", stored.pk, failure)
                ArchiveAct.objects.filter(pk=act_id).update(text_status=ArchiveAct.TextStatus.FAILED)
                raise
            ArchiveFile.objects.filter(pk=stored.pk).update(text=stored.text, text_source=how)
        if stored.text:
            texts.append(stored.text)
    text = "\n\n".join(texts)
    # One statement: the text, its status and the search vector built from the new text.
    ArchiveAct.objects.filter(pk=act_id).update(text=text, text_status=ArchiveAct.TextStatus.DONE,
                                                search=search_vector(text), updated_at=timezone.now())


def search_vector(text: str) -> SearchVector:
    """Number, holder, address and text in the archive's configuration (no diacritics, no stemming)."""
    return SearchVector("number", "holder", "address", "cadastral_number", Value(text), config=SEARCH_CONFIG)


@transaction.atomic
def act_place(*, act: ArchiveAct, by: User, lon: float, lat: float) -> ArchiveAct:
    """A clerk places an act of the review queue: the parcel under the point, else the nearest one
    of the issuer's UATs within ARCHIVE_PLACE_MAX_METRES."""
    if not (by.is_portal_admin or (by.is_issuer_staff and by.issuer_id == act.issuer_id)):
        raise PermissionDenied(_("Doar personalul emitentului poate plasa actele arhivei lui."))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError({"point": [_("Punctul ales nu este pe hartă.")]})
    point = Point(lon, lat, srid=4326)
    point.transform(3844)
    nearest = (Parcel.objects.filter(uat_id__in=issuer_uat_ids(act.issuer),
                                     geom__dwithin=(point, settings.ARCHIVE_PLACE_MAX_METRES))
               .annotate(distance=Distance("geom", point)).order_by("distance", "pk").first())
    if nearest is None:
        raise ValidationError({"point": [_("Nicio parcelă a emitentului la cel mult %(m)s m de punctul ales.")
                                         % {"m": settings.ARCHIVE_PLACE_MAX_METRES}]})
    act = ArchiveAct.objects.select_for_update().get(pk=act.pk)
    act.parcel, act.matched_by, act.placed_point = nearest, ArchiveAct.MatchedBy.MANUAL, point
    act.placed_by, act.placed_at = by, timezone.now()
    act.save()
    return act
