"""The OGC collections: every public vector layer with features, plus the cadastral parcels."""
from __future__ import annotations

from dataclasses import dataclass

from gis_portal.db_router import read_connection
from layers import geojson
from layers.models import Layer, LayerVersion
from layers.selectors import VECTOR_KINDS

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"
# CRSs offered for output and bbox (Part 2); the storage CRS is Stereo 70.
SUPPORTED_CRS = [CRS84, EPSG.format(3844), EPSG.format(4326), EPSG.format(3857), EPSG.format(4258)]
STORAGE_CRS = EPSG.format(3844)


@dataclass
class Collection:
    id: str
    title: str
    description: str
    source: geojson.Source
    extent_sql: str  # returns a box in EPSG:3844 (or NULL)
    version_id: int | None = None  # the layer version served; None for the parcels


def _layer_collection(version: LayerVersion) -> Collection:
    layer = version.layer
    return Collection(
        id=layer.slug, title=layer.name,
        description=f"{layer.get_kind_display()} layer, theme {layer.theme}, version {version.number}."
                    + (f" {layer.provenance}" if layer.provenance else ""),
        source=geojson.layer_source(version.pk),
        extent_sql=f"SELECT ST_Extent(geom) FROM layers_feature WHERE version_id = {int(version.pk)}",
        version_id=version.pk,
    )


PARCELS = Collection(
    id="parcels", title="Imobile (parcele cadastrale)",
    description="Cadastral parcels: cadastral number, UAT, measured area, use category. No personal data.",
    source=geojson.PARCELS,
    # The planner's estimate is instant on a million rows; ST_Extent would scan them all.
    extent_sql="SELECT COALESCE(ST_EstimatedExtent('public', 'parcels_parcel', 'geom'), "
               "(SELECT ST_Extent(geom) FROM parcels_parcel))",
)


def _current_versions():
    return (LayerVersion.objects.filter(is_current=True, layer__public=True, layer__kind__in=VECTOR_KINDS,
                                        feature_count__gt=0)
            .select_related("layer").order_by("layer__slug"))


def collections_all() -> list[Collection]:
    return [PARCELS, *(_layer_collection(v) for v in _current_versions())]


def collection_get(collection_id: str) -> Collection | None:
    if collection_id == PARCELS.id:
        return PARCELS
    version = _current_versions().filter(layer__slug=collection_id).first()
    return _layer_collection(version) if version else None


def extent_lonlat(collection: Collection) -> list[float] | None:
    """[minlon, minlat, maxlon, maxlat] of a collection's data."""
    with read_connection().cursor() as cursor:
        cursor.execute(f"""
            SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (
                SELECT ST_Transform(ST_SetSRID(({collection.extent_sql})::box2d::geometry, 3844), 4326) AS e) s
        """)
        row = cursor.fetchone()
    return [round(v, 6) for v in row] if row and row[0] is not None else None


__all__ = ["Collection", "Layer", "collections_all", "collection_get", "extent_lonlat"]
