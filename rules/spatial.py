"""The SQL of the analysis: a handful of statements over FeatureParts, each run once per analysis.

Features are read through their subdivided parts (layers.FeaturePart) so a predicate on a huge
flood zone or Natura 2000 site only touches the few small boxes near the parcel. The candidate
query finds, per current layer version, every feature within the largest distance any applicable
rule needs, with its distance, its overlap area and its dimension; the rules are then applied to
these few rows in Python (filters, per-feature distances, minimum overlap).
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


def uats_touching(geom: GEOSGeometry) -> list[dict]:
    """UATs whose boundary overlaps the geometry by more than a sliver, largest overlap first."""
    sql = """
        WITH g AS (SELECT %s::geometry AS geom)
        SELECT u.id, u.siruta, u.name, u.kind, u.county,
               CASE WHEN ST_Covers(u.boundary, g.geom) THEN ST_Area(g.geom)
                    ELSE ST_Area(ST_Intersection(u.boundary, g.geom)) END AS overlap
        FROM parcels_uat u, g
        WHERE ST_Intersects(u.boundary, g.geom)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [geom.hexewkb.decode()])
        rows = cursor.fetchall()
    uats = [{"id": r[0], "siruta": r[1], "name": r[2], "kind": r[3], "county": r[4], "overlap_m2": r[5]}
            for r in rows if r[5] >= SLIVER_M2]
    return sorted(uats, key=lambda u: (-u["overlap_m2"], u["siruta"]))


def current_versions(themes: list[str], geom: GEOSGeometry) -> list[VersionInfo]:
    """The current version of every layer of these themes, with its coverage verdict."""
    sql = """
        SELECT v.id, l.theme, l.slug, v.number, v.coverage IS NULL, l.kind = 'raster' OR v.raster_file <> '',
               v.raster_file, coalesce(v.raster_meta ->> 'raster_theme', l.theme)
        FROM layers_layer l JOIN layers_layerversion v ON v.layer_id = l.id AND v.is_current
        WHERE l.theme = ANY(%s)
        ORDER BY l.theme, l.slug
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(themes)])
        rows = cursor.fetchall()
    out = []
    for vid, theme, slug, number, whole_territory, raster, raster_file, raster_theme in rows:
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
    WITH g AS (SELECT %s::geometry AS geom),
    t AS (SELECT * FROM unnest(%s::int[], %s::float8[]) AS t(version_id, dist)),
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
    SELECT c.feature_id, c.version_id, c.distance, c.overlap, c.dim, f.name, f.source_id, f.attrs
    FROM c JOIN layers_feature f ON f.id = c.feature_id
    ORDER BY c.version_id, c.feature_id
"""


def candidates(geom: GEOSGeometry, search: dict[int, float]) -> list[Candidate]:
    """Features of the given versions within the given distance (version id → metres)."""
    if not search:
        return []
    ids = sorted(search)
    with connection.cursor() as cursor:
        cursor.execute(CANDIDATES_SQL, [geom.hexewkb.decode(), ids, [float(search[i]) for i in ids]])
        # Django makes psycopg return jsonb as text (it decodes JSONField itself).
        return [Candidate(*row[:7], attrs=_json(row[7])) for row in cursor.fetchall()]


def _json(value) -> dict:
    if isinstance(value, str):
        return json.loads(value)
    return value or {}


def features_with_protection_zone(feature_ids: list[int], zone_version_ids: list[int]) -> set[int]:
    """Which of these monuments lie in a delimited protection zone (then R5 applies, not R2–R4)."""
    if not feature_ids or not zone_version_ids:
        return set()
    sql = """
        SELECT DISTINCT m.id FROM layers_feature m
        JOIN layers_featurepart zp ON zp.version_id = ANY(%s) AND ST_Intersects(zp.geom, m.geom)
        WHERE m.id = ANY(%s)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [zone_version_ids, feature_ids])
        return {row[0] for row in cursor.fetchall()}


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
