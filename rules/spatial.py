"""The SQL of the analysis: two statements per analysis of one parcel (context, insert).

1. The context: the parcels (with UAT and mayor) or the UATs a drawn geometry touches, the rules'
   change key, every current layer version and the candidate features, in one round trip.
   Candidates are, per current layer version of a theme the rules read, every feature within the
   largest distance any rule of that theme needs (`SearchPlan`), with its distance, overlap area
   and dimension; for monuments whether a protection zone covers them, for UTR polygons the zoning
   units of the site's UATs with that code, for street axes (SearchPlan.geometry_themes) the parts
   near the site as a geometry (the lot's street front, rules.lot). For proposed works with a
   footprint the same statement also reads the existing buildings of the lot (R34, POT / CUT). Features are
   read through their subdivided parts (layers.FeaturePart) so a predicate on a huge flood zone or
   Natura 2000 site only touches the few small boxes near the parcel. The rules are then applied to these few rows in Python
   (filters, per-feature distances, minimum overlap).
   The plan comes from the rules cached in the process; when the rules turn out to have changed
   (the key in the same answer) and the plan with them, or for several parcels (whose union is
   made in Python), `candidates` runs on its own.
2. `analysis_insert` (rules.services): the analysis and its through-table rows.

Coverage verdicts are tested in Python on prepared coverages cached per process (`_coverage`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

from django.contrib.gis.geos import GEOSGeometry
from django.contrib.gis.geos.prepared import PreparedGeometry

from gis_portal.db_router import read_connection
from rules.choices import PROTECTION_ZONE_THEMES, ZONING_THEME

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
    geom: GEOSGeometry | None = None  # the feature's parts near the site (themes of SearchPlan.geometry_themes)


@dataclass
class Building:
    """An existing building of the lot (cadastre): footprint, height (m, may be unknown), levels and
    registered built area (m², suprafața construită la sol)."""

    pk: int
    cadastral_id: str
    footprint: GEOSGeometry
    height_m: float | None
    levels: int
    built_area_m2: float


@dataclass
class SiteParcel:
    """A parcel as the analysis needs it: its geometry, its UAT and the UAT's mayor (or None)."""

    pk: int
    geom: GEOSGeometry
    uat: dict
    issuer: dict | None


@dataclass(frozen=True)
class SearchPlan:
    """What to look for near the site: per theme the search distance (m), and the themes whose
    features (monuments) must say whether a delimited protection zone covers them, and those whose
    features come with their parts near the site (street axes)."""

    distances: tuple[tuple[str, float], ...]
    monument_themes: tuple[str, ...]
    geometry_themes: tuple[str, ...] = ()


@dataclass
class Context:
    """What one round trip tells the analysis: rules generation, current versions, site, candidates."""

    rules_generation: int
    versions: list[tuple]  # (id, theme, slug, number, whole territory, raster, raster file, raster theme)
    parcels: list[SiteParcel] = field(default_factory=list)
    uats: list[dict] = field(default_factory=list)
    plan: SearchPlan | None = None  # the plan the candidates were searched with (None: not searched)
    candidates: list[Candidate] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)  # asked for (buildings=True) only
    institutions_generation: int | None = None  # institutions.selectors.active_institutions


# The generations of the rules and of the institutions (gis_portal.generations: their per-process
# caches) and all current layer versions, in theme and slug order.
_CONTEXT = """
    k AS (SELECT (SELECT n FROM rules_generation) AS rules, (SELECT n FROM institutions_generation) AS institutions),
    lv AS (SELECT json_agg(json_build_array(v.id, l.theme, l.slug, v.number, v.coverage IS NULL,
                                            l.kind = 'raster' OR v.raster_file <> '', v.raster_file,
                                            coalesce(v.raster_meta ->> 'raster_theme', l.theme))
                           ORDER BY l.theme, l.slug) AS rows
           FROM layers_layer l JOIN layers_layerversion v ON v.layer_id = l.id AND v.is_current)
"""

# Candidate features near g (one row: the site geometry) as one JSON array, in version and feature
# order; zoning units of the UATs in site_uats(id).
_CANDIDATES = """
    t AS (SELECT v.id AS version_id, l.theme, d.dist
          FROM unnest(%(themes)s::text[], %(dists)s::float8[]) AS d(theme, dist)
          JOIN layers_layer l ON l.theme = d.theme
          JOIN layers_layerversion v ON v.layer_id = l.id AND v.is_current),
    zones AS (SELECT array_agg(v.id) AS ids FROM layers_layer l
              JOIN layers_layerversion v ON v.layer_id = l.id AND v.is_current
              WHERE l.theme = ANY(%(zone_themes)s)),
    c AS (
        SELECT fp.version_id, t.theme, fp.feature_id,
               MIN(ST_Distance(fp.geom, g.geom)) AS distance,
               SUM(CASE WHEN ST_Dimension(fp.geom) = 2 AND ST_Intersects(fp.geom, g.geom)
                        THEN ST_Area(ST_Intersection(fp.geom, g.geom)) ELSE 0 END) AS overlap,
               MAX(ST_Dimension(fp.geom)) AS dim,
               ST_AsHEXEWKB(ST_Collect(fp.geom) FILTER (WHERE t.theme = ANY(%(geometry_themes)s))) AS parts
        FROM t CROSS JOIN g
        JOIN layers_featurepart fp ON fp.version_id = t.version_id AND ST_DWithin(fp.geom, g.geom, t.dist)
        GROUP BY fp.version_id, t.theme, fp.feature_id
    ),
    cand AS (
        SELECT json_agg(json_build_array(
            c.feature_id, c.version_id, c.distance, c.overlap, c.dim, f.name, f.source_id, f.attrs,
            CASE WHEN c.theme = ANY(%(monument_themes)s) THEN EXISTS (
                SELECT 1 FROM layers_featurepart zp, zones
                WHERE zp.version_id = ANY(zones.ids) AND ST_Intersects(zp.geom, f.geom)) END,
            CASE WHEN c.theme = %(zoning_theme)s THEN (
                SELECT json_agg(json_build_object(
                    'id', zu.id, 'uat_id', zu.uat_id, 'code', zu.code, 'name', zu.name, 'uat_siruta', u.siruta,
                    'allowed_functions', zu.allowed_functions, 'conditioned_functions', zu.conditioned_functions,
                    'forbidden_functions', zu.forbidden_functions, 'pot_max', zu.pot_max, 'cut_max', zu.cut_max,
                    'height_max_m', zu.height_max_m, 'levels_max', zu.levels_max,
                    'setback_street_m', zu.setback_street_m, 'setback_side_m', zu.setback_side_m,
                    'setback_rear_m', zu.setback_rear_m, 'min_lot_area_m2', zu.min_lot_area_m2,
                    'min_frontage_m', zu.min_frontage_m, 'plan', zu.plan) ORDER BY zu.id)
                FROM layers_zoningunit zu JOIN parcels_uat u ON u.id = zu.uat_id
                WHERE zu.code = f.attrs ->> 'utr_code' AND zu.uat_id IN (SELECT id FROM site_uats)) END,
            c.parts)
            ORDER BY c.version_id, c.feature_id) AS rows
        FROM c JOIN layers_feature f ON f.id = c.feature_id
    )
"""

# The existing buildings (R34, POT / CUT) as one JSON array in id order, when %(buildings)s.
_BUILDINGS = """
    bld AS (SELECT json_agg(json_build_array(b.id, b.cadastral_id, ST_AsHEXEWKB(b.footprint), b.height_m, b.levels,
                                             b.built_area_m2)
                            ORDER BY b.id) AS rows
            FROM parcels_building b {where})
"""

PARCELS_SQL = f"""
    WITH {_CONTEXT},
    p AS (SELECT p.id, p.geom, u.id AS uat_id, u.siruta, u.name, u.kind, u.county, u.has_urbanism_department,
                 i.id AS issuer_id, i.name AS issuer_name, i.kind AS issuer_kind, i.uat_id AS issuer_uat_id
          FROM parcels_parcel p JOIN parcels_uat u ON u.id = p.uat_id LEFT JOIN parcels_issuer i ON i.uat_id = u.id
          WHERE p.id = ANY(%(ids)s)),
    g AS (SELECT geom FROM p LIMIT 1),
    site_uats AS (SELECT uat_id AS id FROM p),
    {_CANDIDATES},
    {_BUILDINGS.format(where="WHERE %(buildings)s AND b.parcel_id = ANY(%(ids)s)")}
    SELECT k.rules, lv.rows, cand.rows, p.id, ST_AsEWKB(p.geom), p.uat_id, p.siruta, p.name, p.kind,
           p.county, p.issuer_id, p.issuer_name, p.issuer_kind, p.issuer_uat_id, bld.rows, k.institutions,
           p.has_urbanism_department
    FROM k CROSS JOIN lv CROSS JOIN cand CROSS JOIN bld LEFT JOIN p ON true
    ORDER BY p.id
"""

UATS_SQL = f"""
    WITH g AS (SELECT %(geom)s::geometry AS geom), {_CONTEXT},
    site_uats AS (
        SELECT u.id, u.siruta, u.name, u.kind, u.county, u.has_urbanism_department,
               CASE WHEN ST_Covers(u.boundary, g.geom) THEN ST_Area(g.geom)
                    ELSE ST_Area(ST_Intersection(u.boundary, g.geom)) END AS overlap
        FROM parcels_uat u, g WHERE ST_Intersects(u.boundary, g.geom)),
    {_CANDIDATES},
    {_BUILDINGS.format(where="JOIN g ON %(buildings)s AND b.footprint && g.geom "
                             "AND ST_Intersects(g.geom, ST_PointOnSurface(b.footprint))")}
    SELECT k.rules, lv.rows, cand.rows, su.id, su.siruta, su.name, su.kind, su.county, su.overlap,
           bld.rows, k.institutions, su.has_urbanism_department
    FROM k CROSS JOIN lv CROSS JOIN cand CROSS JOIN bld LEFT JOIN site_uats su ON true
"""

CANDIDATES_SQL = f"""
    WITH g AS (SELECT %(geom)s::geometry AS geom), site_uats AS (SELECT unnest(%(uats)s::int[]) AS id),
    {_CANDIDATES}
    SELECT cand.rows FROM cand
"""


def _plan_params(plan: SearchPlan | None) -> dict:
    distances = plan.distances if plan else ()
    return {"themes": [t for t, _ in distances], "dists": [d for _, d in distances],
            "monument_themes": list(plan.monument_themes if plan else ()), "zone_themes": list(PROTECTION_ZONE_THEMES),
            "zoning_theme": ZONING_THEME, "geometry_themes": list(plan.geometry_themes if plan else ())}


def _versions(rows) -> list[tuple]:
    return [tuple(r) for r in _json(rows, list)]


def context_for_parcels(ids: list[int], plan: SearchPlan | None, *, buildings: bool = False) -> Context:
    """The parcels of these ids (in id order), with their UAT and mayor, and the context; with the
    candidates of `plan` around a single parcel, and with `buildings` the parcels' buildings."""
    plan = plan if len(ids) == 1 else None
    with read_connection().cursor() as cursor:
        cursor.execute(PARCELS_SQL, {"ids": list(ids), "buildings": buildings, **_plan_params(plan)})
        rows = cursor.fetchall()
    ctx = Context(rules_generation=rows[0][0], versions=_versions(rows[0][1]), plan=plan,
                  candidates=_candidates(rows[0][2]), buildings=_buildings(rows[0][14]),
                  institutions_generation=rows[0][15])
    for r in rows:
        if r[3] is None:
            continue
        issuer = None if r[10] is None else {"id": r[10], "name": r[11], "kind": r[12], "uat_id": r[13]}
        uat = {"id": r[5], "siruta": r[6], "name": r[7], "kind": r[8], "county": r[9], "urbanism_department": r[16]}
        ctx.parcels.append(SiteParcel(r[3], GEOSGeometry(memoryview(r[4])), uat, issuer))
    return ctx


def context_for_geometry(geom: GEOSGeometry, plan: SearchPlan | None, *, buildings: bool = False) -> Context:
    """The UATs whose boundary overlaps the geometry by more than a sliver (largest overlap first),
    and the context with the candidates of `plan`; with `buildings` the buildings standing on the
    geometry (a point of their footprint inside it)."""
    with read_connection().cursor() as cursor:
        cursor.execute(UATS_SQL, {"geom": geom.hexewkb.decode(), "buildings": buildings, **_plan_params(plan)})
        rows = cursor.fetchall()
    ctx = Context(rules_generation=rows[0][0], versions=_versions(rows[0][1]), plan=plan,
                  candidates=_candidates(rows[0][2]), buildings=_buildings(rows[0][9]),
                  institutions_generation=rows[0][10])
    uats = [{"id": r[3], "siruta": r[4], "name": r[5], "kind": r[6], "county": r[7], "urbanism_department": r[11],
             "overlap_m2": r[8]} for r in rows if r[3] is not None and r[8] >= SLIVER_M2]
    ctx.uats = sorted(uats, key=lambda u: (-u["overlap_m2"], u["siruta"]))
    return ctx


def candidates(geom: GEOSGeometry, plan: SearchPlan, uat_ids: list[int]) -> list[Candidate]:
    """The candidates of `plan` around `geom` on their own (zoning units of `uat_ids`)."""
    with read_connection().cursor() as cursor:
        cursor.execute(CANDIDATES_SQL, {"geom": geom.hexewkb.decode(), "uats": list(uat_ids), **_plan_params(plan)})
        return _candidates(cursor.fetchone()[0])


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
    with read_connection().cursor() as cursor:
        cursor.execute("SELECT ST_AsEWKB(coverage) FROM layers_layerversion WHERE id = %s", [version_id])
        return GEOSGeometry(memoryview(cursor.fetchone()[0])).prepared


# json_build_object writes 35.0 as 35: the FloatFields of a zoning unit are read back as floats.
_UNIT_FLOATS = ("pot_max", "cut_max", "height_max_m", "setback_street_m", "setback_side_m", "setback_rear_m",
                "min_lot_area_m2", "min_frontage_m")


def _unit(data: dict) -> dict:
    for name in _UNIT_FLOATS:
        if data[name] is not None:
            data[name] = float(data[name])
    return data


def _candidates(rows) -> list[Candidate]:
    # PostgreSQL writes a float8 in JSON with the shortest digits that read back as the same double.
    return [Candidate(fid, vid, float(dist), float(overlap), dim, name, source_id, attrs or {}, bool(zoned),
                      [_unit(u) for u in units or ()], None if parts is None else GEOSGeometry(parts))
            for fid, vid, dist, overlap, dim, name, source_id, attrs, zoned, units, parts in _json(rows, list)]


def _buildings(rows) -> list[Building]:
    return [Building(pk, cadastral_id, GEOSGeometry(footprint), None if height is None else float(height), levels,
                     float(built_area))
            for pk, cadastral_id, footprint, height, levels, built_area in _json(rows, list)]


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
    with read_connection().cursor() as cursor:
        cursor.execute(sql, [uat_ids, feature_ids])
        return dict(cursor.fetchall())
