"""GeoJSON FeatureCollections built in SQL, for the layers API and OGC API Features.

Two sources share the code: the features of a layer version and the cadastral parcels. The
bbox arrives in any whitelisted CRS and is turned into an EPSG:3844 envelope, so the spatial
index on the stored geometry is used. Output coordinates are in the requested CRS; OGC API
(Part 2) wants the axis order of the CRS's EPSG definition, so `flip` swaps them for
latitude-first and northing-first CRSs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from gis_portal.api.crs import RO_LONLAT, parse_srid
from gis_portal.api.geojson import geometry_sql
from gis_portal.db_router import read_connection

GEOGRAPHIC = (4326, 4258)
# EPSG definitions whose first axis is north (latitude or northing).
NORTH_FIRST = (4326, 4258, 3844, 31700)


@dataclass(frozen=True)
class Source:
    """A table of features: its FROM clause, the id and geometry columns and the properties."""

    table: str
    id_col: str
    geom_col: str
    props_sql: str
    where: str = "TRUE"


def layer_source(version_id: int) -> Source:
    return Source(table="layers_feature t", id_col="t.id", geom_col="t.geom",
                  props_sql="t.attrs || jsonb_build_object('name', t.name, 'source_id', t.source_id)",
                  where=f"t.version_id = {int(version_id)}")


PARCELS = Source(
    table="parcels_parcel t JOIN parcels_uat u ON u.id = t.uat_id", id_col="t.id", geom_col="t.geom",
    props_sql="jsonb_build_object('cadastral_number', t.cadastral_number, 'uat_siruta', u.siruta, "
              "'uat', u.name, 'measured_area_m2', t.measured_area_m2, 'use_category', t.use_category)",
)


def parse_bbox(value: str | None, *, srid: int, field: str = "bbox") -> tuple[float, float, float, float] | None:
    """"minx,miny,maxx,maxy" (4 finite numbers, min < max) or a 400 naming the problem."""
    if value in (None, ""):
        return None
    parts = str(value).split(",")
    if len(parts) != 4:
        raise ValidationError({field: ["bbox must be four numbers: minx,miny,maxx,maxy."]})
    try:
        box = tuple(float(p) for p in parts)
    except ValueError:
        raise ValidationError({field: ["bbox must be four numbers: minx,miny,maxx,maxy."]}) from None
    if not all(math.isfinite(v) for v in box):
        raise ValidationError({field: ["bbox values must be finite numbers."]})
    if box[0] >= box[2] or box[1] >= box[3]:
        raise ValidationError({field: ["bbox must have minx < maxx and miny < maxy."]})
    if srid in GEOGRAPHIC and not (-180 <= box[0] and box[2] <= 180 and -90 <= box[1] and box[3] <= 90):
        raise ValidationError({field: ["bbox in degrees must lie within -180..180, -90..90 (longitude first)."]})
    return box  # type: ignore[return-value]


def bbox_filter(box, srid: int) -> tuple[str, list]:
    """SQL condition (and params) selecting geometries that intersect the request bbox (OGC API
    Features /req/core/fc-bbox-response; the REST parcels API tests the same densified envelope)."""
    if box is None:
        return "TRUE", []
    if srid in GEOGRAPHIC:
        # Clip to Romania first: PROJ cannot project a world-wide box into Stereo 70.
        box = (max(box[0], RO_LONLAT[0] - 1), max(box[1], RO_LONLAT[1] - 1),
               min(box[2], RO_LONLAT[2] + 1), min(box[3], RO_LONLAT[3] + 1))
        if box[0] >= box[2] or box[1] >= box[3]:
            return "FALSE", []
    if srid == 3844:
        return "ST_Intersects(t.geom, ST_MakeEnvelope(%s, %s, %s, %s, 3844))", [*box]
    # Densified before reprojection: a lon/lat rectangle is curved in Stereo 70.
    step = 0.0005 if srid in GEOGRAPHIC else 50.0
    return ("ST_Intersects(t.geom, ST_Transform(ST_Segmentize(ST_MakeEnvelope(%s, %s, %s, %s, %s), %s), 3844))",
            [*box, srid, step])


def feature_collection(*, source: Source, srid: int = 4326, bbox=None, bbox_srid: int = 4326, limit: int = 100,
                       offset: int = 0, flip: bool = False, fid: int | None = None,
                       ids: tuple[str, list] | None = None) -> tuple[list[str], int | None]:
    """([Feature JSON text], numberMatched) — numberMatched is None for a single-feature read.
    `ids`: an SQL subquery selecting the ids allowed (an ORM filter's SQL and bound parameters)."""
    srid = parse_srid(srid)
    condition, params = bbox_filter(bbox, bbox_srid)
    where = f"{source.where} AND {condition}"
    if ids is not None:
        where += f" AND {source.id_col} IN ({ids[0]})"
        params = [*params, *ids[1]]
    if fid is not None:
        where += f" AND {source.id_col} = %s"
        params = [*params, fid]
    select = f"""
        SELECT json_build_object('type', 'Feature', 'id', {source.id_col},
                                 'geometry', {geometry_sql(source.geom_col, srid, flip=flip)}::json,
                                 'properties', {source.props_sql})::text
        FROM {source.table} WHERE {where} ORDER BY {source.id_col} LIMIT %s OFFSET %s
    """
    with read_connection().cursor() as cursor:
        cursor.execute(select, [*params, limit, offset])
        features = [row[0] for row in cursor.fetchall()]
        if fid is not None:
            return features, None
        if offset == 0 and len(features) < limit:
            return features, len(features)
        cursor.execute(f"SELECT count(*) FROM {source.table} WHERE {where}", params)
        return features, cursor.fetchone()[0]


def collection_text(features: list[str], **members) -> str:
    """Join pre-serialised features into a FeatureCollection without parsing them again."""
    import json

    head = json.dumps({"type": "FeatureCollection", **members})[:-1]
    return f'{head}, "features": [{",".join(features)}]}}'
