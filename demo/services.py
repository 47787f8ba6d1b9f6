"""Writes of the demo app: generate (or replace) the deterministic demo county.

Same seed and size → the same UATs, parcels, buildings and layers, byte for byte in geometry
(asserted by tests through demo.selectors.demo_checksum). One transaction: an error or Ctrl-C
leaves the database as it was.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from demo import bacau, layersgen, rastergen, streetregister, writer
from demo.catalog import CJ_ISSUER, COUNTY, COUNTY_CODE, DEPARTMENT_COMMUNES, MAYOR_TITLE, MONUMENTS, REGIMES, UATS
from demo.layout import CountyLayout, plan
from demo.parcelgen import NotEnoughRoom, ParcelSet, generate_uat
from demo.showcase import showcase_pick_all
from layers.models import Layer, LayerVersion, ZoningUnit
from layers.services import layer_version_publish
from parcels.models import UAT, Issuer, Locality, Parcel

MAX_PARCELS = 2_000_000
EXTRA_CONSTRAINTS_FROM = 100_000  # parcels; below that the county stays readable on the map
BULK_INDEX_FROM = 50_000  # parcels; from here rebuilding the GiST indexes beats updating them


@dataclass
class DemoSummary:
    parcels: int = 0
    buildings: int = 0
    features: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    missing_showcase: list[str] = field(default_factory=list)


def demo_data_exists() -> bool:
    return Parcel.objects.exists() or UAT.objects.exists() or Layer.objects.exists()


def demo_clear() -> None:
    """Remove the demo parcels, zoning units and layers; UATs and issuers stay (users point at them)."""
    uat_ids = list(UAT.objects.filter(siruta__in=[u.siruta for u in UATS]).values_list("id", flat=True))
    writer.execute("DELETE FROM demo_showcaseparcel")
    streetregister.street_register_clear(uat_ids)
    writer.execute("DELETE FROM parcels_building b USING parcels_parcel p WHERE b.parcel_id = p.id "
                   "AND p.uat_id = ANY(%s)", [uat_ids])
    writer.execute("DELETE FROM parcels_parcel WHERE uat_id = ANY(%s)", [uat_ids])
    ZoningUnit.objects.filter(uat_id__in=uat_ids).delete()
    versions = list(LayerVersion.objects.filter(layer__slug__in=layersgen.SLUGS))
    ids = [v.pk for v in versions]
    writer.execute("DELETE FROM layers_featurepart WHERE version_id = ANY(%s)", [ids])
    writer.execute("DELETE FROM layers_feature WHERE version_id = ANY(%s)", [ids])
    # Files are not transactional: remove the old GeoTIFFs only once the replacement is committed.
    names = [(v.raster_file.storage, v.raster_file.name) for v in versions if v.raster_file]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])
    Layer.objects.filter(slug__in=layersgen.SLUGS).delete()
    # Fail here, not at commit, when something else (an application) still points at a parcel.
    writer.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _has_department(siruta: int, kind: str) -> bool:
    return kind != UAT.Kind.COMUNA or siruta in DEPARTMENT_COMMUNES


def _upsert_territory(layout: CountyLayout) -> dict[str, UAT]:
    """The UATs with their mayors (all 93 real ones, or the three demo UATs of a synthetic layout),
    the SIRUTA localities, and the county council president. Whether a UAT has an urbanism department
    is seeded on creation only: an administrator's later choice survives a regeneration."""
    demo_boundaries = {lay.spec.siruta: lay.boundary for lay in layout.uats.values()}
    if layout.real:
        places = [(u.siruta, u.name, u.kind, u.boundary) for u in bacau.uats()]
    else:
        places = [(lay.spec.siruta, lay.spec.name, lay.spec.kind, lay.boundary) for lay in layout.uats.values()]
    existing = UAT.objects.in_bulk([p[0] for p in places], field_name="siruta")
    by_siruta: dict[int, UAT] = {}
    for siruta, name, kind, boundary in places:
        uat = existing.get(siruta) or UAT(siruta=siruta, has_urbanism_department=_has_department(siruta, kind))
        uat.name, uat.county, uat.county_code, uat.kind = name, COUNTY, COUNTY_CODE, kind
        uat.boundary = layersgen.to_geos(demo_boundaries.get(siruta, boundary))
        by_siruta[siruta] = uat
    UAT.objects.bulk_update([u for u in by_siruta.values() if u.pk], ["name", "county", "county_code", "kind",
                                                                      "boundary"])
    UAT.objects.bulk_create([u for u in by_siruta.values() if not u.pk])
    mayors = {i.uat_id: i for i in Issuer.objects.filter(uat__in=by_siruta.values())}
    for uat in by_siruta.values():
        mayor = mayors.get(uat.pk) or Issuer(uat=uat, kind=Issuer.Kind.PRIMAR)
        mayor.name, mayor.county = f"{MAYOR_TITLE[uat.kind]} {uat.name}", COUNTY
        mayors[uat.pk] = mayor
    Issuer.objects.bulk_update([m for m in mayors.values() if m.pk], ["name", "county"])
    Issuer.objects.bulk_create([m for m in mayors.values() if not m.pk])
    if layout.real:
        Locality.objects.filter(uat__in=by_siruta.values()).delete()
        Locality.objects.bulk_create([
            Locality(siruta=loc.siruta, name=loc.name, uat=by_siruta[loc.uat_siruta], kind=loc.tip_label,
                     is_seat=loc.is_seat, urban=loc.urban, postal_code=loc.postal_code)
            for loc in bacau.localities() if loc.uat_siruta in by_siruta])
    if not Issuer.objects.filter(kind=Issuer.Kind.PRESEDINTE_CJ, county=COUNTY).exists():
        Issuer.objects.create(name=CJ_ISSUER, kind=Issuer.Kind.PRESEDINTE_CJ, county=COUNTY)
    return {key: by_siruta[lay.spec.siruta] for key, lay in layout.uats.items()}


def _write_parcels(sets: dict[str, ParcelSet], uats: dict[str, UAT]) -> tuple[int, int]:
    total = sum(len(s.geoms) for s in sets.values())
    first = writer.reserve_ids("parcels_parcel", total)
    cols = ("id", "uat_id", "cadastral_number", "cf_number", "old_cf_number", "topo_number", "geom",
            "legal_area_m2", "measured_area_m2", "use_category", "address", "synthetic", "updated_at")
    stamp = "2026-01-01 00:00:00+00"  # fixed, so two runs with the same seed are identical
    offset, b_rows = first, []

    def rows():
        nonlocal offset
        for key, s in sets.items():
            hexes = writer.ewkb_hex(s.geoms)
            measured = np.round(shapely.area(s.geoms), 2)
            for i in range(len(s.geoms)):
                cad = str(int(s.cadastral[i]))
                yield (offset + i, uats[key].pk, cad, cad, "", "", hexes[i], float(s.legal_area[i]),
                       float(measured[i]), str(s.category[i]), s.address[i], True, stamp)
            b_rows.append((offset, s))
            offset += len(s.geoms)

    bulk = total >= BULK_INDEX_FROM
    with writer.gist_indexes_deferred("parcels_parcel", enabled=bulk):
        n = writer.copy_rows("parcels_parcel", cols, rows())
    b_first = writer.reserve_ids("parcels_building", sum(len(s.b_parcel) for s in sets.values()))

    def building_rows():
        bid = b_first
        for base, s in b_rows:
            hexes = writer.ewkb_hex(s.b_geom)
            areas = np.round(shapely.area(s.b_geom), 2)
            for k in range(len(s.b_parcel)):
                yield (bid, base + int(s.b_parcel[k]), s.b_id[k], hexes[k], int(s.b_levels[k]),
                       float(s.b_height[k]), float(areas[k]), s.b_dest[k])
                bid += 1

    with writer.gist_indexes_deferred("parcels_building", enabled=bulk):
        nb = writer.copy_rows("parcels_building", ("id", "parcel_id", "cadastral_id", "footprint", "levels",
                                                   "height_m", "built_area_m2", "destination"), building_rows())
    return n, nb


def _monuments(layout: CountyLayout, sets: dict[str, ParcelSet]) -> list[dict]:
    """The located LMI monuments of the county, at their real points; the showcase's protection zone
    (synthetic) follows the demo parcels around its monument."""
    zoned = {m.lmi_code: m.uat for m in MONUMENTS if m.zone}
    out = []
    for m in bacau.monuments():
        if m.point is None or not layout.county.contains(m.point):
            continue
        item = {"lmi_code": m.lmi_code, "group": m.group, "name": m.name, "siruta": m.uat_siruta, "geom": m.point,
                "address": m.address, "lon_lat": list(m.lonlat or ())}
        if m.lmi_code in zoned:
            item["zone"] = layersgen.protection_zone(m.point, sets[zoned[m.lmi_code]].geoms)
        out.append(item)
    return out


def _zoning_units(layout: CountyLayout, uats: dict[str, UAT]) -> None:
    ZoningUnit.objects.bulk_create([
        ZoningUnit(uat=uats[key], code=code, plan=lay.spec.plan, **REGIMES[code])
        for key, lay in layout.uats.items() for code in lay.zones
    ])


def _uat_outlines(layout: CountyLayout) -> list[tuple[int, str, str, object]]:
    if layout.real:
        return [(u.siruta, u.name, u.kind, u.boundary) for u in bacau.uats()]
    return [(lay.spec.siruta, lay.spec.name, lay.spec.kind, lay.boundary) for lay in layout.uats.values()]


def _geography() -> tuple[dict[str, tuple], object]:
    """Per demo UAT its real boundary, intravilan anchor (EPSG:3844) and the point of the monument
    whose protection zone the demo draws (it must stand on a parcel); and the whole county."""
    real = {u.siruta: u.boundary for u in bacau.uats()}
    points = {m.lmi_code: m.point for m in bacau.monuments() if m.point is not None}
    pins = {m.uat: (points[m.lmi_code].x, points[m.lmi_code].y) for m in MONUMENTS if m.zone}
    places = {}
    for spec in UATS:
        anchor = bacau.to_stereo70({"type": "Point", "coordinates": list(spec.anchor)})
        places[spec.key] = (real[spec.siruta], (anchor.x, anchor.y), pins.get(spec.key))
    return places, shapely.union_all(list(real.values()))


def _generate(parcels: int, seed: int) -> tuple[CountyLayout, dict[str, ParcelSet]]:
    geography, county = _geography()
    for slack in (1.0, 1.3, 1.7, 2.2, 3.0):
        layout = plan(parcels=parcels, rng=np.random.default_rng([seed, 0]), slack=slack, geography=geography,
                      county=county)
        try:
            sets = {key: generate_uat(lay, layout, np.random.default_rng([seed, i + 1]))
                    for i, (key, lay) in enumerate(layout.uats.items())}
        except NotEnoughRoom:
            continue
        return layout, sets
    raise ValidationError({"parcels": "the demo layout could not hold this many parcels"})


@transaction.atomic
def demo_county_generate(*, parcels: int = 5_000, seed: int = 1, force: bool = False,
                         log: Callable[[str], None] = lambda _: None) -> DemoSummary:
    """Generate the demo county. Refuses a non-empty database unless `force` (then replaces it)."""
    if not 100 <= parcels <= MAX_PARCELS:
        raise ValidationError({"parcels": f"must be between 100 and {MAX_PARCELS}"})
    if demo_data_exists():
        if not force:
            raise ValidationError({"force": "the database already holds UATs, parcels or layers; "
                                            "use --force to replace the demo data"})
        demo_clear()
    summary = DemoSummary()
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        summary.seconds[name] = round(now - clock, 2)
        clock = now
        log(f"  {name}: {summary.seconds[name]} s")

    layout, sets = _generate(parcels, seed)
    lap("geometry")
    uats = _upsert_territory(layout)
    lap("territory (UATs, mayors, localities)")
    summary.parcels, summary.buildings = _write_parcels(sets, uats)
    lap("parcels+buildings (COPY)")
    monuments = _monuments(layout, sets)
    names = {key: (sets[key].street_names[: lay.rows + 1], sets[key].street_names[lay.rows + 1:])
             for key, lay in layout.uats.items()}
    features = layersgen.vector_features(layout, monuments, names, uats=_uat_outlines(layout))
    if parcels >= EXTRA_CONSTRAINTS_FROM:
        for slug, rows in layersgen.extra_constraints(layout, np.random.default_rng([seed, 99]), 300).items():
            features[slug] += rows
    coverage = layersgen.to_geos(layout.county)
    versions = layersgen.write_vectors(features, coverage=coverage, seed=seed)
    summary.features = {slug: v.feature_count for slug, v in versions.items()}
    lap("layers")
    streetregister.street_register_build([u.pk for u in uats.values()])
    lap("street register")
    rasters = rastergen.build(layout, np.random.default_rng([seed, 98]))
    for spec in layersgen.LAYERS:
        if spec.kind == "raster":
            version = layersgen.start(spec, coverage=coverage, seed=seed)
            data, meta = rasters[spec.theme]
            rastergen.attach(version, data=data, meta=meta, seed=seed)
            layer_version_publish(version=version)
    _zoning_units(layout, uats)
    lap("rasters+zoning")
    with connection.cursor() as cur:
        cur.execute("ANALYZE parcels_parcel; ANALYZE parcels_building; ANALYZE layers_feature; "
                    "ANALYZE layers_featurepart")
    summary.missing_showcase = showcase_pick_all()
    lap("showcase")
    return summary
