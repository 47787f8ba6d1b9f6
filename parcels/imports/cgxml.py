"""CGXML, the ANCPI eTerra export (domain-ro.md §5.3), read into a parcel Batch.

Structure (reverse-engineered, unqualified elements under <CGXML>): Address, Land (the imobil),
Parcel (land-use sub-parcels of a Land), Building, Points (vertices of lands and buildings).
Coordinates are Stereo 70 and, as on every Romanian plan, X is the northing and Y the easting:
they are swapped here into (easting, northing) = (x, y). eTerra files carry no CRS, so a CGXML
is always EPSG:3844.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

import shapely

from parcels.imports.report import ImportFileError
from parcels.imports.sources import Batch, BuildingBatch, normalize_text

STREET_TYPES = {"STRADA": "Str.", "BULEVARD": "Bd.", "BULEVARDUL": "Bd.", "CALEA": "Calea", "ALEEA": "Aleea",
                "SOSEA": "Șos.", "PIATA": "Piața"}


def _records(path: Path):
    """Yield (tag, {FIELD: text}) for each child of the root, streaming (files can be large)."""
    with open(path, "rb") as fh:
        head = fh.read(2048)
    # Entity declarations are never needed in eTerra exports and are the vehicle of XML bombs.
    if re.search(rb"<!(DOCTYPE|ENTITY)", head):
        raise ImportFileError("The CGXML contains a DOCTYPE/ENTITY declaration, which is not accepted.")
    depth = 0
    try:
        for event, elem in ET.iterparse(path, events=("start", "end")):
            if event == "start":
                depth += 1
                continue
            depth -= 1
            if depth == 1:
                tag = elem.tag.rsplit("}", 1)[-1]
                yield tag, {c.tag.rsplit("}", 1)[-1].upper(): (c.text or "").strip() for c in elem}
                elem.clear()
    except ET.ParseError as exc:
        raise ImportFileError(f"The CGXML is not well-formed or not in its declared encoding ({exc}).") from None


def _float(value: str) -> float | None:
    try:
        return float(value.replace(",", ".")) if value else None
    except ValueError:
        return None


def _ring(points: list[dict]) -> bytes | None:
    """Vertices ordered by NO, (Y, X) -> (easting, northing); None when there is no polygon."""
    coords = []
    for p in sorted(points, key=lambda p: _float(p.get("NO", "")) or 0):
        x, y = _float(p.get("Y", "")), _float(p.get("X", ""))
        if x is None or y is None:
            return None
        coords.append((x, y))
    if len(coords) >= 2 and coords[0] == coords[-1]:
        coords.pop()
    if len(set(coords)) < 3:
        return None
    return shapely.to_wkb(shapely.Polygon(coords + [coords[0]]))


def _address(addr: dict | None) -> str:
    if not addr:
        return ""
    street = normalize_text(addr.get("STREETNAME"))
    kind = STREET_TYPES.get(normalize_text(addr.get("STREETTYPE")).upper(), normalize_text(addr.get("STREETTYPE")))
    parts = [f"{kind} {street}".strip() if street else ""]
    if addr.get("POSTALNUMBER"):
        parts.append(f"nr. {normalize_text(addr['POSTALNUMBER'])}")
    if addr.get("DESCRIPTION"):
        parts.append(normalize_text(addr["DESCRIPTION"]))
    return ", ".join(p for p in parts if p)


def read_cgxml(path: Path, declared_srid: int | None) -> tuple[Batch, list[str]]:
    if declared_srid not in (None, 3844):
        raise ImportFileError(f"CGXML coordinates are always Stereo 70 (EPSG:3844); --srid {declared_srid} "
                              f"does not apply.")
    addresses: dict[str, dict] = {}
    lands: list[dict] = []
    uses: dict[str, list[dict]] = defaultdict(list)
    buildings: list[dict] = []
    land_points: dict[str, list[dict]] = defaultdict(list)
    building_points: dict[str, list[dict]] = defaultdict(list)
    for tag, rec in _records(path):
        if tag == "Address":
            addresses[rec.get("ADDRESSID", "")] = rec
        elif tag == "Land":
            lands.append(rec)
        elif tag == "Parcel":
            uses[rec.get("LANDID", "")].append(rec)
        elif tag == "Building":
            buildings.append(rec)
        elif tag == "Points":
            if rec.get("BUILDINGID"):
                building_points[rec["BUILDINGID"]].append(rec)
            else:
                land_points[rec.get("IMMOVABLEID", "")].append(rec)
    if not lands:
        raise ImportFileError("The CGXML contains no <Land> records.")

    wkb: list[bytes | None] = []
    attrs: defaultdict[str, list[Any]] = defaultdict(list)
    index_of_land: dict[str, int] = {}
    for i, land in enumerate(lands):
        land_id = land.get("LANDID", "")
        index_of_land[land_id] = i
        wkb.append(_ring(land_points.get(land_id, [])))
        addr = addresses.get(land.get("ADDRESSID", ""))
        # The Address SIRUTA is often the village (level 3); SIRSUP is then the UAT: keep both.
        attrs["siruta"].append(normalize_text(addr.get("SIRUTA")) if addr else "")
        attrs["sirsup"].append(normalize_text(addr.get("SIRSUP")) if addr else "")
        attrs["cadastral_number"].append(normalize_text(land.get("E2IDENTIFIER") or land.get("CADGENNO")))
        attrs["cf_number"].append(normalize_text(land.get("E2IDENTIFIER")))
        attrs["old_cf_number"].append(normalize_text(land.get("PAPERLBNO")))
        attrs["topo_number"].append(normalize_text(land.get("TOPONO")))
        attrs["legal_area_m2"].append(_float(land.get("PARCELLEGALAREA", "")))
        # A Land has several land-use sub-parcels; its category is the one covering the most area.
        main_use = max(uses.get(land_id, []), key=lambda u: _float(u.get("MEASUREDAREA", "")) or 0, default=None)
        attrs["use_category"].append(normalize_text(main_use.get("USECATEGORY")) if main_use else "")
        attrs["address"].append(_address(addr))
    batch = Batch(format="cgxml", srid=3844, wkb=wkb, attrs=dict(attrs))
    if buildings:
        bb = BuildingBatch(parcel_ref=[], cadastral_id=[], wkb=[], levels=[], height_m=[], destination=[], rows=[])
        for j, b in enumerate(buildings, start=1):
            number = normalize_text(b.get("BUILDNO"))
            bb.parcel_ref.append(index_of_land.get(b.get("LANDID", ""), -1))
            bb.cadastral_id.append(number if number.upper().startswith("C") else f"C{number}")
            bb.wkb.append(_ring(building_points.get(b.get("BUILDINGID", ""), [])))
            bb.levels.append(_float(b.get("LEVELSNO", "")))
            bb.height_m.append(None)
            bb.destination.append(normalize_text(b.get("BUILDINGDESTINATION")))
            bb.rows.append(j)
        batch.buildings = bb
    return batch, []
