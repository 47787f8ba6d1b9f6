"""The real geography of Bacău county the demo is built on (read-only; no database access).

Read at demo setup from `settings.BACAU_DATA_DIR` (default `../shared/data/bacau` beside the
repository, the project's shared data), or, where that is absent (a container with the repository
alone), from `fixtures/bacau/`, a derived copy made by `demo.bacau.write_fixture` (coordinates
rounded to 1e-5°, about a metre). Coordinates are EPSG:4326 (lon, lat) in the files; they are
transformed to Stereo 70 (EPSG:3844) by GDAL/PROJ by EPSG code, as every geometry entering the
portal is (gis_portal.api.geometry). Sources and licences: ATTRIBUTION (also in README.md and in
the metadata of every demo layer, which the map shows).
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import shapely
from django.conf import settings
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures" / "bacau"
FILES = ("uat.geojson", "siruta.csv", "lmi-2015.geojson")

ATTRIBUTION = {  # short: MapLibre's attribution control shows them side by side
    "uat": "Limite UAT © ANCPI prin geo-spatial.org (MIT), generalizate",
    "siruta": "SIRUTA © INS prin strainu/SIRUTA (BSD-3-Clause)",
    "lmi": "LMI 2015 (Ordinul MC 2828/2015)",
    "lmi_points": "coordonate monumente © contributorii ro.wikipedia, CC BY-SA",
    "synthetic": "Date sintetice (demo), nu date oficiale",
}

# SIRUTA `tip` codes (INS): the level-2 kinds and the localities that are seats of their UAT.
UAT_KINDS = {1: "municipiu", 4: "municipiu", 2: "oras", 3: "comuna"}
SEAT_TIPS = {9, 17, 22}


@dataclass(frozen=True)
class RealUat:
    siruta: int
    name: str
    kind: str  # parcels.UAT.Kind value
    boundary: BaseGeometry  # shapely (Multi)Polygon, EPSG:3844


@dataclass(frozen=True)
class RealLocality:
    siruta: int
    name: str
    uat_siruta: int
    tip: int
    tip_label: str
    urban: bool
    postal_code: str

    @property
    def is_seat(self) -> bool:
        return self.tip in SEAT_TIPS


@dataclass(frozen=True)
class RealMonument:
    lmi_code: str
    name: str
    group: str
    uat_siruta: int
    locality_siruta: int | None
    address: str
    lonlat: tuple[float, float] | None
    point: Point | None  # EPSG:3844


def data_dir() -> Path:
    """The shared data when it is there, else the derived fixture in the repository."""
    shared = Path(settings.BACAU_DATA_DIR)
    return shared if all((shared / f).is_file() for f in FILES) else FIXTURE_DIR


@lru_cache(maxsize=1)
def _to_3844() -> CoordTransform:
    return CoordTransform(SpatialReference(4326), SpatialReference(3844))


def to_stereo70(geometry: dict) -> Any:
    """A GeoJSON geometry in EPSG:4326 as a shapely geometry in EPSG:3844 (GDAL/PROJ by EPSG code)."""
    geom = GEOSGeometry(json.dumps(geometry), srid=4326)
    geom.transform(_to_3844())
    return shapely.set_precision(shapely.from_wkb(bytes(geom.wkb)), 0.01)


@lru_cache(maxsize=2)
def _uats(directory: Path) -> tuple[RealUat, ...]:
    data = json.loads((directory / "uat.geojson").read_text(encoding="utf-8"))
    out = [RealUat(int(f["properties"]["siruta"]), f["properties"]["name"], f["properties"]["kind"],
                   shapely.make_valid(to_stereo70(f["geometry"]))) for f in data["features"]]
    return tuple(sorted(out, key=lambda u: u.siruta))


def uats() -> tuple[RealUat, ...]:
    """The 93 UATs of the county, by SIRUTA code."""
    return _uats(data_dir())


def localities() -> list[RealLocality]:
    """The SIRUTA localities (level 3) of the county, with the SIRUTA code of their UAT."""
    with (data_dir() / "siruta.csv").open(encoding="utf-8", newline="") as fh:
        return [RealLocality(int(r["siruta"]), r["name"], int(r["sirsup"]), int(r["tip"]), r["tip_label"],
                             r["med"] == "1", "" if r["codp"] in ("", "0") else r["codp"])
                for r in csv.DictReader(fh) if r["niv"] == "3"]


def monuments() -> list[RealMonument]:
    """The LMI 2015 records of the county; `point` is None for the records without a location."""
    data = json.loads((data_dir() / "lmi-2015.geojson").read_text(encoding="utf-8"))
    out = []
    for f in data["features"]:
        p, g = f["properties"], f["geometry"]
        out.append(RealMonument(p["lmi_code"], p["name"], p["lmi_group"], int(p["uat_siruta"]),
                                int(p["locality_siruta"]) if p.get("locality_siruta") else None, p.get("address") or "",
                                tuple(g["coordinates"]) if g else None, to_stereo70(g) if g else None))
    return out


def write_fixture(target: Path = FIXTURE_DIR) -> None:
    """Derive the repository's fallback copy from the shared files: UAT outlines rounded to 1e-5°,
    the SIRUTA rows as they are, and the LMI records with the fields the demo reads (the list is an
    official act; its 12 points are CC BY-SA, attributed in README.md and on the map)."""
    source = Path(settings.BACAU_DATA_DIR)
    target.mkdir(parents=True, exist_ok=True)
    data = json.loads((source / "uat.geojson").read_text(encoding="utf-8"))
    for f in data["features"]:
        geom = shapely.set_precision(shapely.geometry.shape(f["geometry"]), 1e-5)
        f["geometry"] = json.loads(shapely.to_geojson(geom))
    data["source"] = ATTRIBUTION["uat"] + "; coordonate rotunjite la 1e-5 grade (fixtures/bacau)"
    (target / "uat.geojson").write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    (target / "siruta.csv").write_bytes((source / "siruta.csv").read_bytes())
    lmi = json.loads((source / "lmi-2015.geojson").read_text(encoding="utf-8"))
    keep = ("lmi_code", "name", "lmi_group", "uat_siruta", "locality_siruta", "address", "coord_source", "coord_licence")
    for f in lmi["features"]:
        f["properties"] = {k: f["properties"].get(k) for k in keep}
    (target / "lmi-2015.geojson").write_text(json.dumps(lmi, ensure_ascii=False, separators=(",", ":")),
                                             encoding="utf-8")
