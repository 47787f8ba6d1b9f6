"""Importing layer files (GeoJSON, GeoPackage, zipped Shapefile, GeoTIFF) as new layer versions.

`layer_import` is the one entry point, used by `manage.py import_layer`, the admin and the demo
county generator. One import is one transaction: either a new current version with all its
features (or its raster) exists afterwards, or nothing changed.
"""
from layers.imports.service import ImportReport, layer_import

__all__ = ["ImportReport", "layer_import"]
