"""GeoTIFF rasters (a DEM, a flood-depth grid) reprojected to EPSG:3844 and kept in storage."""
from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError

from gis_portal.api.crs import RO_STEREO70
from layers.imports.common import srid_from_crs

# Raster themes and their units; the sampler (layers.rasters) knows how to summarise each.
RASTER_UNITS = {"dem": "m", "flood_depth": "m"}
DEFAULT_NODATA = -9999.0


def raster_reproject(path: Path, *, declared_srid: int | None) -> tuple[bytes, dict, bytes | None, int]:
    """Return (GeoTIFF bytes in EPSG:3844, metadata, footprint WKB in EPSG:3844, source EPSG code)."""
    import numpy as np
    import rasterio
    from rasterio.io import MemoryFile
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    try:
        src = rasterio.open(path)
    except Exception as exc:  # noqa: BLE001 - rasterio wraps GDAL errors
        raise ValidationError({"file": [f"Cannot read {path.name} as a raster: {exc}"]}) from None
    with src:
        crs_text = f"EPSG:{src.crs.to_epsg()}" if src.crs and src.crs.to_epsg() else (src.crs.to_wkt() if src.crs else None)
        srid = srid_from_crs(crs_text, declared=declared_srid)
        nodata = src.nodata if src.nodata is not None else DEFAULT_NODATA
        dst_crs = "EPSG:3844"
        transform, width, height = calculate_default_transform(
            f"EPSG:{srid}", dst_crs, src.width, src.height, *src.bounds)
        profile = {
            "driver": "GTiff", "width": width, "height": height, "count": src.count, "crs": dst_crs,
            "transform": transform, "dtype": "float32", "nodata": nodata,
            "compress": "deflate", "tiled": width >= 256 and height >= 256,
        }
        with MemoryFile() as memfile:
            with memfile.open(**profile) as dst:
                for band in range(1, src.count + 1):
                    # Bilinear: DEMs and depth grids are continuous surfaces.
                    reproject(source=rasterio.band(src, band), destination=rasterio.band(dst, band),
                              src_crs=f"EPSG:{srid}", src_nodata=nodata, dst_crs=dst_crs, dst_nodata=nodata,
                              resampling=Resampling.bilinear)
            with memfile.open() as dst:
                bounds = dst.bounds
                if not (RO_STEREO70[0] <= bounds.left and bounds.right <= RO_STEREO70[2]
                        and RO_STEREO70[1] <= bounds.bottom and bounds.top <= RO_STEREO70[3]):
                    raise ValidationError({"file": [
                        f"The raster lies outside Romania once in EPSG:3844 ({tuple(round(b) for b in bounds)}); "
                        f"check its CRS or --srid."]})
                footprint = _footprint(dst, np)
                meta = {
                    "bands": dst.count, "nodata": nodata, "width": dst.width, "height": dst.height,
                    "resolution": [abs(dst.transform.a), abs(dst.transform.e)], "crs": "EPSG:3844",
                    "bounds": [bounds.left, bounds.bottom, bounds.right, bounds.top], "dtype": "float32",
                }
            data = memfile.read()
    return data, meta, footprint, srid


def _footprint(dataset, np) -> bytes | None:
    """Where the raster has data: the polygons of its valid-data mask, merged and simplified."""
    import shapely
    from rasterio.features import shapes
    from shapely.geometry import shape

    mask = dataset.dataset_mask()
    polygons = [shape(geom) for geom, value in shapes(mask, mask=mask > 0, transform=dataset.transform) if value]
    if not polygons:
        return None
    merged = shapely.union_all(polygons).simplify(max(abs(dataset.transform.a), abs(dataset.transform.e)))
    if merged.geom_type == "Polygon":
        merged = shapely.MultiPolygon([merged])
    return shapely.to_wkb(merged)
