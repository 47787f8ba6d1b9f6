"""UAT import: administrative boundaries keyed by SIRUTA, with the mayor (Issuer) of each UAT.

UAT files are small (Romania has ~3,180 UATs), so this path favours clarity over COPY.
"""
from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import transaction

from parcels.imports.checks import check_geometries
from parcels.imports.report import ImportFileError, ImportReport
from parcels.imports.sources import _read_layer, _vector_path, normalize_text, resolve_srid, sniff_format, srid_from_crs
from parcels.models import UAT, Issuer

UAT_ALIASES = {"siruta": ("siruta", "natcode"), "name": ("name", "nume", "denumire"),
               "county": ("county", "judet"), "county_code": ("county_code", "cod_judet", "mnemonic"),
               "kind": ("kind", "tip", "type")}
KINDS = {"municipiu": UAT.Kind.MUNICIPIU, "oras": UAT.Kind.ORAS, "comuna": UAT.Kind.COMUNA}
MAYOR_TITLE = {UAT.Kind.MUNICIPIU: "Primarul municipiului", UAT.Kind.ORAS: "Primarul orașului",
               UAT.Kind.COMUNA: "Primarul comunei"}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()


def import_uats_file(*, path: Path | str, srid: int | None = None) -> ImportReport:
    """Upsert UATs by SIRUTA from a GeoJSON/GeoPackage/zipped Shapefile; create missing mayors."""
    start = time.perf_counter()
    path = Path(path)
    report = ImportReport(source=path.name)
    fmt = sniff_format(path)
    if fmt == "cgxml":
        raise ImportFileError("A CGXML file holds parcels, not UAT boundaries: use import_parcels.")
    meta, geoms, attrs, _ = _read_layer(_vector_path(path, fmt), None, UAT_ALIASES, None)
    missing = [name for name in ("siruta", "name", "county", "kind") if name not in attrs]
    if missing:
        raise ImportFileError(f"Missing attribute column(s): {', '.join(missing)}.")
    if len(geoms) == 0:
        raise ImportFileError("The file contains no features.")
    srid = resolve_srid(srid_from_crs(meta.get("crs")), srid)
    report.format, report.srid, report.total = fmt, srid, len(geoms)
    sirutas = [normalize_text(v) for v in attrs["siruta"]]
    ok, wkb, _area = check_geometries(list(geoms), srid=srid, identifiers=sirutas, report=report, what="UAT boundary")
    seen: dict[str, int] = {}
    rows = []
    for i in range(len(geoms)):
        row, siruta = i + 1, sirutas[i]
        kind = KINDS.get(_ascii(normalize_text(attrs["kind"][i])))
        if not siruta.isdigit():
            report.reject(row, siruta, "SIRUTA must be a number.")
        elif kind is None:
            report.reject(row, siruta, f"Unknown kind {attrs['kind'][i]!r}: expected municipiu, oraș or comună.")
        elif siruta in seen:
            report.reject(row, siruta, f"Duplicate SIRUTA (also on row {seen[siruta]}).")
        elif ok[i]:
            seen[siruta] = row
            geom = GEOSGeometry(memoryview(shapely.to_wkb(shapely.from_wkb(wkb[i]))), srid=srid)
            if srid != 3844:
                geom.transform(3844)
            if geom.geom_type == "Polygon":
                geom = MultiPolygon(geom, srid=3844)
            county_code = normalize_text(attrs["county_code"][i]) if "county_code" in attrs else ""
            rows.append((int(siruta), normalize_text(attrs["name"][i]), normalize_text(attrs["county"][i]),
                         county_code[:2], kind, geom))
    with transaction.atomic():
        for code, name, county, county_code, kind, geom in rows:
            uat, created = UAT.objects.update_or_create(
                siruta=code, defaults={"name": name, "county": county, "county_code": county_code, "kind": kind,
                                         "boundary": geom})
            if created:
                report.inserted += 1
            else:
                report.updated += 1
            if not Issuer.objects.filter(uat=uat).exists():
                Issuer.objects.create(uat=uat, kind=Issuer.Kind.PRIMAR, county=county,
                                      name=f"{MAYOR_TITLE[kind]} {name}")
    report.issues.sort(key=lambda issue: (issue.row, issue.level))
    report.seconds = time.perf_counter() - start
    return report
