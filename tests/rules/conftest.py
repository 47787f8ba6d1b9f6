"""Small layers for the rules tests, built with layers models + layer_version_publish.

Geography (EPSG:3844, see tests/conftest.py): Bacău (urban, uat_a) spans E 644 868–648 868 and
Hemeiuș (rural, uat_b) E 640 868–644 868, both N 562 814–566 814. The intravilan fixture covers
both UATs whole, except where a test builds its own.
"""
from __future__ import annotations

import pytest
from django.contrib.gis.geos import GEOSGeometry, LineString, MultiPolygon, Point, Polygon

from institutions.services import institutions_seed
from layers.models import Feature, Layer, LayerVersion
from layers.services import layer_version_publish, layer_version_start
from rules.services import rules_load_csv, works_rules_load_csv
from tests.conftest import BACAU_E, BACAU_N, square

__all__ = ["BACAU_E", "BACAU_N", "square", "box", "Point", "LineString"]


def box(e0: float, n0: float, e1: float, n1: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((e0, n0, e1, n1)), srid=3844)


@pytest.fixture
def seeded(territory):
    """The rules catalogues (spatial and works) and the Bacău institutions, as shipped."""
    rules_load_csv()
    works_rules_load_csv()
    institutions_seed()
    return territory


@pytest.fixture
def make_layer(db):
    """make_layer(theme, [(geometry, attrs), …], coverage=None) -> the published (current) version."""

    def make(theme: str, features: list[tuple[GEOSGeometry, dict]], *, coverage: MultiPolygon | None = None,
             slug: str | None = None) -> LayerVersion:
        layer, _ = Layer.objects.get_or_create(slug=slug or theme.replace("_", "-").lower(),
                                               defaults={"name": theme, "kind": Layer.Kind.CONSTRAINT, "theme": theme})
        version = layer_version_start(layer=layer)
        if coverage is not None:
            version.coverage = coverage
            version.save(update_fields=["coverage"])
        for i, (geom, attrs) in enumerate(features):
            geom.srid = 3844
            Feature.objects.create(version=version, source_id=str(i + 1), name=attrs.pop("name", f"{theme} {i + 1}"),
                                   attrs=attrs, geom=geom)
        return layer_version_publish(version=version)

    return make


@pytest.fixture
def intravilan(make_layer, territory):
    """The intravilan covers both UATs entirely (so Bacău is urban, Hemeiuș rural)."""
    return make_layer("intravilan_limit", [(box(BACAU_E - 6000, BACAU_N - 2000, BACAU_E + 2000, BACAU_N + 2000), {})])
