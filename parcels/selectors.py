"""Reads on parcels and UATs, as GeoJSON built by PostGIS (one query per request).

Parcels are public cadastral data (no owner is stored), so nothing here is scoped per user.
Coordinates leave the database through ST_AsGeoJSON(ST_Transform(geom, srid)) with EPSG codes
only (PROJ picks the EPSG operation), 7 decimals for degrees (~1 cm) and 2 for metres.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gis_portal.api.geojson import geometry_sql
from gis_portal.db_router import read_connection

GEOGRAPHIC = (4326, 4258)
# A parcel is intravilan when at least this share of its area lies inside the intravilan limit.
INTRAVILAN_MIN_SHARE = 0.5


def _geometry_text_sql(column: str, srid: int) -> str:
    return geometry_sql(column, srid)  # srid: always a whitelisted EPSG code (parse_srid), never user text


def _geometry_sql(column: str, srid: int) -> str:
    return f"{_geometry_text_sql(column, srid)}::json"


PARCEL_PROPERTIES = """json_build_object(
    'cadastral_number', p.cadastral_number, 'cf_number', p.cf_number, 'uat', u.siruta, 'uat_name', u.name,
    'measured_area_m2', round(p.measured_area_m2::numeric, 2), 'legal_area_m2', p.legal_area_m2,
    'use_category', p.use_category, 'address', p.address)"""


# The same Feature as text, concatenated: for a list page this skips re-parsing every geometry
# (::json) and json_build_object's per-value dispatch, about half of the SQL time of a 500-parcel
# page. Keys and values are those of PARCEL_PROPERTIES; text values go through to_json (escaping).
PARCEL_FEATURE_TEXT = """'{{"type":"Feature","id":' || p.id || ',"geometry":' || {geometry}
    || ',"properties":{{"cadastral_number":' || to_json(p.cadastral_number) || ',"cf_number":' || to_json(p.cf_number)
    || ',"uat":' || u.siruta || ',"uat_name":' || to_json(u.name)
    || ',"measured_area_m2":' || round(p.measured_area_m2::numeric, 2)
    || ',"legal_area_m2":' || coalesce(to_json(p.legal_area_m2)::text, 'null')
    || ',"use_category":' || to_json(p.use_category) || ',"address":' || to_json(p.address) || '}}}}'"""


@dataclass(frozen=True)
class Page:
    """A FeatureCollection page as JSON text, and whether more rows follow."""

    body: str
    returned: int
    has_more: bool


def _collection(where: list[str], params: list, *, srid: int, limit: int, offset: int) -> Page:
    sql = f"""
        SELECT {PARCEL_FEATURE_TEXT.format(geometry=_geometry_text_sql('p.geom', srid))}
        FROM parcels_parcel p JOIN parcels_uat u ON u.id = p.uat_id
        WHERE {' AND '.join(where) or 'true'}
        ORDER BY p.id LIMIT %s OFFSET %s"""
    with read_connection().cursor() as cursor:
        cursor.execute(sql, [*params, limit + 1, offset])
        features = [row[0] for row in cursor.fetchall()]
    has_more = len(features) > limit
    features = features[:limit]
    # Features are already JSON text: join them instead of parsing and re-serialising.
    return Page(body="[" + ",".join(features) + "]", returned=len(features), has_more=has_more)


def parcel_page(*, bbox: tuple[float, float, float, float] | None = None, bbox_srid: int = 4326,
                uat: int | None = None, cadastral_number: str | None = None, srid: int = 4326,
                limit: int = 100, offset: int = 0) -> Page:
    where: list[str] = []
    params: list[Any] = []
    if bbox is not None:
        # The envelope is densified before reprojection: a lon/lat rectangle is curved in Stereo 70.
        where.append("p.geom && ST_Transform(ST_Segmentize(ST_MakeEnvelope(%s, %s, %s, %s, %s), %s), 3844) "
                     "AND ST_Intersects(p.geom, ST_Transform(ST_Segmentize(ST_MakeEnvelope(%s, %s, %s, %s, %s), %s), 3844))")
        step = 0.0005 if bbox_srid in GEOGRAPHIC else 50.0
        params += [*bbox, bbox_srid, step] * 2
    if uat is not None:
        where.append("u.siruta = %s")
        params.append(uat)
    if cadastral_number:
        where.append("p.cadastral_number = %s")
        params.append(cadastral_number)
    return _collection(where, params, srid=srid, limit=limit, offset=offset)


def parcels_at(*, x: float, y: float, point_srid: int, srid: int, limit: int = 100) -> Page:
    """Parcels containing (or touching) the point."""
    point = "ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), %s), 3844)" if point_srid != 3844 \
        else "ST_SetSRID(ST_MakePoint(%s, %s), %s)"
    return _collection([f"ST_Intersects(p.geom, {point})"], [x, y, point_srid], srid=srid, limit=limit, offset=0)


def parcel_detail(*, parcel_id: int, srid: int) -> dict | None:
    """One parcel as a GeoJSON Feature with its UAT, buildings and intravilan status.

    Intravilan is derived from the current `intravilan_limit` layer's subdivided parts; with no
    current layer, or when the layer's coverage does not include the parcel, it is null (no data).
    """
    sql = f"""
        WITH p AS (SELECT * FROM parcels_parcel WHERE id = %s),
        limit_layer AS (
            SELECT v.id, v.coverage FROM layers_layerversion v JOIN layers_layer l ON l.id = v.layer_id
            WHERE l.theme = 'intravilan_limit' AND v.is_current ORDER BY v.id LIMIT 1),
        share AS (
            SELECT CASE
                WHEN NOT EXISTS (SELECT 1 FROM limit_layer) THEN NULL
                WHEN (SELECT coverage FROM limit_layer) IS NOT NULL
                     AND NOT ST_Covers((SELECT coverage FROM limit_layer), p.geom) THEN NULL
                ELSE coalesce((SELECT ST_Area(ST_Intersection(p.geom, ST_Union(fp.geom)))
                               FROM layers_featurepart fp
                               WHERE fp.version_id = (SELECT id FROM limit_layer)
                                 AND fp.geom && p.geom AND ST_Intersects(fp.geom, p.geom)), 0)
                     / nullif(ST_Area(p.geom), 0)
            END AS value FROM p)
        SELECT json_build_object(
            'type', 'Feature', 'id', p.id, 'geometry', {_geometry_sql('p.geom', srid)},
            'properties', {PARCEL_PROPERTIES}::jsonb || jsonb_build_object(
                'old_cf_number', p.old_cf_number, 'topo_number', p.topo_number,
                'updated_at', p.updated_at,
                'uat', jsonb_build_object('siruta', u.siruta, 'name', u.name, 'county', u.county,
                                          'kind', u.kind, 'urban', u.kind IN ('municipiu', 'oras')),
                'intravilan', CASE WHEN s.value IS NULL THEN NULL ELSE s.value >= %s END,
                'intravilan_share', round(s.value::numeric, 4),
                'buildings', coalesce((
                    SELECT jsonb_agg(jsonb_build_object(
                        'id', b.id, 'cadastral_id', b.cadastral_id, 'levels', b.levels, 'height_m', b.height_m,
                        'built_area_m2', round(b.built_area_m2::numeric, 2), 'destination', b.destination,
                        'geometry', {_geometry_sql('b.footprint', srid)}) ORDER BY b.cadastral_id)
                    FROM parcels_building b WHERE b.parcel_id = p.id), '[]'::jsonb)))::text
        FROM p JOIN parcels_uat u ON u.id = p.uat_id, share s"""
    with read_connection().cursor() as cursor:
        cursor.execute(sql, [parcel_id, INTRAVILAN_MIN_SHARE])
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def uat_page(*, srid: int, limit: int, offset: int, tolerance_m: float = 50.0) -> Page:
    """UATs with boundaries simplified for a list (the detail has the exact boundary)."""
    geometry = _geometry_sql(f"ST_SimplifyPreserveTopology(u.boundary, {float(tolerance_m)})", srid)
    sql = f"""
        SELECT json_build_object('type', 'Feature', 'id', u.siruta, 'geometry', {geometry},
                                 'properties', json_build_object('siruta', u.siruta, 'name', u.name,
                                     'county', u.county, 'kind', u.kind, 'urban', u.kind IN ('municipiu', 'oras'),
                                     'issuer', i.name))::text
        FROM parcels_uat u LEFT JOIN parcels_issuer i ON i.uat_id = u.id
        ORDER BY u.siruta LIMIT %s OFFSET %s"""
    with read_connection().cursor() as cursor:
        cursor.execute(sql, [limit + 1, offset])
        features = [row[0] for row in cursor.fetchall()]
    return Page(body="[" + ",".join(features[:limit]) + "]", returned=min(len(features), limit),
                has_more=len(features) > limit)


def uat_detail(*, siruta: int, srid: int) -> dict | None:
    sql = f"""
        SELECT json_build_object('type', 'Feature', 'id', u.siruta, 'geometry', {_geometry_sql('u.boundary', srid)},
                                 'properties', json_build_object('siruta', u.siruta, 'name', u.name,
                                     'county', u.county, 'county_code', u.county_code, 'kind', u.kind,
                                     'urban', u.kind IN ('municipiu', 'oras'),
                                     'urbanism_department', u.has_urbanism_department,
                                     'issuer', CASE WHEN i.id IS NULL THEN NULL
                                               ELSE json_build_object('id', i.id, 'name', i.name) END,
                                     'area_km2', round((ST_Area(u.boundary) / 1e6)::numeric, 3)))::text
        FROM parcels_uat u LEFT JOIN parcels_issuer i ON i.uat_id = u.id WHERE u.siruta = %s"""
    with read_connection().cursor() as cursor:
        cursor.execute(sql, [siruta])
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None
