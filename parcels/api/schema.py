"""OpenAPI pieces shared by the parcel endpoints (GeoJSON shapes and query parameters)."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from parcels.api.params import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

GEOMETRY = {"type": "object", "description": "GeoJSON geometry (RFC 7946) in the response CRS",
            "properties": {"type": {"type": "string"}, "coordinates": {"type": "array", "items": {}}}}
FEATURE = {"type": "object", "required": ["type", "geometry", "properties"],
           "properties": {"type": {"type": "string", "enum": ["Feature"]}, "id": {"type": "integer"},
                          "geometry": GEOMETRY, "properties": {"type": "object", "additionalProperties": True}}}
CRS_MEMBER = {"type": "object", "description": "Present only when the response is not in EPSG:4326 (legacy GeoJSON crs member)",
              "properties": {"type": {"type": "string"}, "properties": {"type": "object"}}}
FEATURE_COLLECTION = {
    "type": "object", "required": ["type", "features"],
    "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]},
                   "features": {"type": "array", "items": FEATURE},
                   "numberReturned": {"type": "integer"}, "crs": CRS_MEMBER,
                   "links": {"type": "array", "items": {"type": "object", "properties": {
                       "rel": {"type": "string"}, "href": {"type": "string"}, "type": {"type": "string"}}}}}}
ERROR = {"type": "object", "properties": {"detail": {"type": "string"},
                                          "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}

CRS = OpenApiParameter("crs", OpenApiTypes.STR, description="Output CRS as an EPSG code: 4326 (default, lon/lat, "
                       "RFC 7946) or 3844 (Stereo 70, metres); also 3857, 4258, 31700. The response says "
                       "which in the Content-Crs header.", enum=["4326", "3844", "3857", "4258", "31700"])
LIMIT = OpenApiParameter("limit", OpenApiTypes.INT, description=f"Page size, 1..{MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE})")
OFFSET = OpenApiParameter("offset", OpenApiTypes.INT, description="Rows to skip (default 0)")
BBOX = OpenApiParameter("bbox", OpenApiTypes.STR, description="minlon,minlat,maxlon,maxlat (in bbox-crs, default EPSG:4326)")
BBOX_CRS = OpenApiParameter("bbox-crs", OpenApiTypes.STR, description="CRS of bbox as an EPSG code (default 4326)")
UAT = OpenApiParameter("uat", OpenApiTypes.INT, description="SIRUTA code of the UAT")
CADASTRAL = OpenApiParameter("cadastral_number", OpenApiTypes.STR, description="Exact cadastral number")
LON = OpenApiParameter("lon", OpenApiTypes.NUMBER, description="Longitude (EPSG:4326)")
LAT = OpenApiParameter("lat", OpenApiTypes.NUMBER, description="Latitude (EPSG:4326)")
X = OpenApiParameter("x", OpenApiTypes.NUMBER, description="Easting, with crs=3844 (Stereo 70 Y on Romanian plans)")
Y = OpenApiParameter("y", OpenApiTypes.NUMBER, description="Northing, with crs=3844 (Stereo 70 X on Romanian plans)")
GEOJSON = "application/geo+json"
