"""The SQL of the analysis: three statements per analysis (context, candidates, insert).

1. `context`: the parcels (with UAT and mayor) or the UATs a drawn geometry touches, together with
   the rules' change key and every current layer version, in one round trip.
2. `candidates`: per current layer version, every feature within the largest distance any
   applicable rule needs, with its distance, overlap area and dimension; for monuments whether a
   protection zone covers them, for UTR polygons the zoning units of the site's UATs with that
   code. Features are read through their subdivided parts (layers.FeaturePart) so a predicate on
   a huge flood zone or Natura 2000 site only touches the few small boxes near the parcel. The
   rules are then applied to these few rows in Python (filters, per-feature distances, minimum
   overlap).
3. `analysis_insert` (rules.services): the analysis and its through-table rows.

Coverage verdicts are tested in Python on prepared coverages cached per process (`_coverage`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

from django.contrib.gis.geos import GEOSGeometry
from django.contrib.gis.geos.prepared import PreparedGeometry
from django.db import connection

# Overlaps below this many m² are treated as digitising slivers when no rule says otherwise.
SLIVER_M2 = 1.0


@dataclass
class VersionInfo:
    """A current layer version of a theme and whether its coverage includes the geometry."""

    version_id: int
    theme: str
    slug: str
    number: int
    covered: bool
    touched: bool
    raster: bool
    raster_file: str = ""  # storage name of a raster version's GeoTIFF (fetched with the version)
    raster_theme: str = ""


@dataclass
class Candidate:
    """A feature near the geometry: distance (m), overlap (m²) and max dimension of its parts."""

    feature_id: int
    version_id: int
    distance: float
    overlap: float
    dimension: int
    name: str = ""
    source_id: str = ""
    attrs: dict = field(default_factory=dict)
    zoned: bool = False  # a monument inside a delimited protection zone (asked for monument versions)
    units: list[dict] = field(default_factory=list)  # zoning units with this UTR code (UTR versions)


@dataclass
class SiteParcel:
    """A parcel as the analysis needs it: its geometry, its UAT and the UAT's mayor (or None)."""

    pk: int
    geom: GEOSGeometry
    uat: dict
    issuer: dict | None


@dataclass
class Context:
    """What one round trip tells the analysis before any spatial test on layers."""

    rules_key: tuple
    versions: list[tuple]  # (id, theme, slug, number, whole territory, raster, raster file, raster theme)
    parcels: list[SiteParcel] = field(default_factory=list)
    uats: list[dict] = field(default_factory=list)


# The rules' change key (every edit moves updated_at, the count or a version) and all current
# layer versions, in theme and slug order.
_CONTEXT = """
    k AS (SELECT count(id) AS n, max(updated_at) AS last, sum(version) AS versions FROM rules_rule),
    lv AS (SELECT json_agg(json_build_array(v.id, l.theme, l.slug, v.number, v.coverage IS NULL,
                                            l.kind = 'raster' OR v.raster_file <> '', v.raster_file,
                                            coalesce(v.raster_meta ->> 'raster_theme', l.theme))
                           ORDER BY l.theme, l.slug) AS rows
           FROM layers_layer l JOIN layers_layerversion v ON v.layer_id = l.id AND v.is_current)
"""

PARCELS_SQL = f"""
    WITH {_CONTEXT}
    SELECT k.n, k.last, k.versions, lv.rows, p.id, ST_AsEWKB(p.geom), u.id, u.siruta, u.name, u.kind, u.county,
           i.id, i.name, i.kind, i.uat_id
    FROM k CROSS JOIN lv
    LEFT JOIN parcels_parcel p ON p.id = ANY(%s)
    LEFT JOIN parcels_uat u ON u.id = p.uat_id
    LEFT JOIN parcels_issuer i ON i.uat_id = u.id
    ORDER BY p.id
"""

UATS_SQL = f"""
    WITH g AS (SELECT %s::geometry AS geom), {_CONTEXT}
    SELECT k.n, k.last, k.versions, lv.rows, u.id, u.siruta, u.name, u.kind, u.county,
           CASE WHEN ST_Covers(u.boundary, g.geom) THEN ST_Area(g.geom)
                ELSE ST_Area(ST_Intersection(u.boundary, g.geom)) END AS overlap
    FROM k CROSS JOIN lv CROSS JOIN g
    LEFT JOIN parcels_uat u ON ST_Intersects(u.boundary, g.geom)
"""


def _versions(rows) -> list[tuple]:
    return [tuple(r) for r in _json(rows, list)]


def context_for_parcels(ids: list[int]) -> Context:
    """The parcels of these ids (in id order), with their UAT and mayor, and the context."""
    with connection.cursor() as cursor:
        cursor.execute(PARCELS_SQL, [list(ids)])
        rows = cursor.fetchall()
    ctx = Context(rules_key=rows[0][:3], versions=_versions(rows[0][3]))
    for r in rows:
        if r[4] is None:
            continue
        issuer = None if r[11] is None else {"id": r[11], "name": r[12], "kind": r[13], "uat_id": r[14]}
        uat = {"id": r[6], "siruta": r[7], "name": r[8], "kind": r[9], "county": r[10]}
        ctx.parcels.append(SiteParcel(r[4], GEOSGeometry(memoryview(r[5])), uat, issuer))
    return ctx


def context_for_geometry(geom: GEOSGeometry) -> Context:
    """The UATs whose boundary overlaps the geometry by more than a sliver (largest overlap first),
    and the context."""
    with connection.cursor() as cursor:
        cursor.execute(UATS_SQL, [geom.hexewkb.decode()])
        rows = cursor.fetchall()
    ctx = Context(rules_key=rows[0][:3], versions=_versions(rows[0][3]))
    uats = [{"id": r[4], "siruta": r[5], "name": r[6], "kind": r[7], "county": r[8], "overlap_m2": r[9]}
            for r in rows if r[4] is not None and r[9] >= SLIVER_M2]
    ctx.uats = sorted(uats, key=lambda u: (-u["overlap_m2"], u["siruta"]))
    return ctx


def current_versions(ctx: Context, themes: list[str], geom: GEOSGeometry) -> list[VersionInfo]:
    """The current version of every layer of these themes, with its coverage verdict."""
    wanted = set(themes)
    out = []
    for vid, theme, slug, number, whole_territory, raster, raster_file, raster_theme in ctx.versions:
        if theme not in wanted:
            continue
        if whole_territory:
            covered = touched = True
        else:
            coverage = _coverage(vid)
            covered, touched = coverage.covers(geom), coverage.intersects(geom)
        out.append(VersionInfo(vid, theme, slug, number, covered, touched, raster, raster_file or "", raster_theme))
    return out


@lru_cache(maxsize=256)
def _coverage(version_id: int) -> PreparedGeometry:
    """A version's coverage, prepared once per process: county-sized polygons are costly to test
    from scratch on every analysis, and a version's coverage is fixed when it is imported."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_AsEWKB(coverage) FROM layers_layerversion WHERE id = %s", [version_id])
        return GEOSGeometry(memoryview(cursor.fetchone()[0])).prepared


CANDIDATES_SQL = """
    WITH g AS (SELECT %(geom)s::geometry AS geom),
    t AS (SELECT * FROM unnest(%(versions)s::int[], %(dists)s::float8[]) AS t(version_id, dist)),
    c AS (
        SELECT fp.version_id, fp.feature_id,
               MIN(ST_Distance(fp.geom, g.geom)) AS distance,
               SUM(CASE WHEN ST_Dimension(fp.geom) = 2 AND ST_Intersects(fp.geom, g.geom)
                        THEN ST_Area(ST_Intersection(fp.geom, g.geom)) ELSE 0 END) AS overlap,
               MAX(ST_Dimension(fp.geom)) AS dim
        FROM t CROSS JOIN g
        JOIN layers_featurepart fp ON fp.version_id = t.version_id AND ST_DWithin(fp.geom, g.geom, t.dist)
        GROUP BY fp.version_id, fp.feature_id
    )
    SELECT c.feature_id, c.version_id, c.distance, c.overlap, c.dim, f.name, f.source_id, f.attrs,
           CASE WHEN c.version_id = ANY(%(monuments)s) THEN EXISTS (
               SELECT 1 FROM layers_featurepart zp
               WHERE zp.version_id = ANY(%(zones)s) AND ST_Intersects(zp.geom, f.geom)) END,
           CASE WHEN c.version_id = ANY(%(utr)s) THEN (
               SELECT json_agg(json_build_object(
                   'id', zu.id, 'uat_id', zu.uat_id, 'code', zu.code, 'name', zu.name, 'uat_siruta', u.siruta,
                   'allowed_functions', zu.allowed_functions, 'conditioned_functions', zu.conditioned_functions,
                   'forbidden_functions', zu.forbidden_functions, 'pot_max', zu.pot_max, 'cut_max', zu.cut_max,
                   'height_max_m', zu.height_max_m, 'levels_max', zu.levels_max,
                   'setback_street_m', zu.setback_street_m, 'setback_side_m', zu.setback_side_m,
                   'setback_rear_m', zu.setback_rear_m, 'min_lot_area_m2', zu.min_lot_area_m2,
                   'min_frontage_m', zu.min_frontage_m, 'plan', zu.plan) ORDER BY zu.id)
               FROM layers_zoningunit zu JOIN parcels_uat u ON u.id = zu.uat_id
               WHERE zu.code = f.attrs ->> 'utr_code' AND zu.uat_id = ANY(%(uats)s)) END
    FROM c JOIN layers_feature f ON f.id = c.feature_id
    ORDER BY c.version_id, c.feature_id
"""
# json_build_object writes 35.0 as 35: the FloatFields of a zoning unit are read back as floats.
_UNIT_FLOATS = ("pot_max", "cut_max", "height_max_m", "setback_street_m", "setback_side_m", "setback_rear_m",
                "min_lot_area_m2", "min_frontage_m")


def _unit(data: dict) -> dict:
    for name in _UNIT_FLOATS:
        if data[name] is not None:
            data[name] = float(data[name])
    return data


def candidates(geom: GEOSGeometry, search: dict[int, float], *, monument_versions: list[int] = (),
               zone_versions: list[int] = (), utr_versions: list[int] = (), uat_ids: list[int] = ()) -> list[Candidate]:
    """Features of the given versions within the given distance (version id → metres); features of
    `monument_versions` say whether a part of `zone_versions` intersects them, features of
    `utr_versions` carry the zoning units of `uat_ids` named by their utr_code."""
    if not search:
        return []
    ids = sorted(search)
    params = {"geom": geom.hexewkb.decode(), "versions": ids, "dists": [float(search[i]) for i in ids],
              "monuments": list(monument_versions), "zones": list(zone_versions), "utr": list(utr_versions),
              "uats": list(uat_ids)}
    with connection.cursor() as cursor:
        cursor.execute(CANDIDATES_SQL, params)
        # Django makes psycopg return jsonb as text (it decodes JSONField itself).
        return [Candidate(*row[:7], attrs=_json(row[7], dict), zoned=bool(row[8]),
                          units=[_unit(u) for u in _json(row[9], list)]) for row in cursor.fetchall()]


def _json(value, empty: type):
    if isinstance(value, str):
        return json.loads(value)
    return value or empty()


def feature_uats(feature_ids: list[int], uat_ids: list[int]) -> dict[int, int]:
    """For features spanning several UATs' site: the UAT containing a point of each feature."""
    sql = """
        SELECT DISTINCT ON (f.id) f.id, u.id FROM layers_feature f
        JOIN parcels_uat u ON u.id = ANY(%s) AND ST_Intersects(u.boundary, ST_PointOnSurface(f.geom))
        WHERE f.id = ANY(%s) ORDER BY f.id, u.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [uat_ids, feature_ids])
        return dict(cursor.fetchall())
