"""Reading parcel files: format sniffing by content, CRS identification, attribute mapping.

Every reader returns a `Batch` of parallel arrays (WKB geometry + canonical attributes), so the
loader never cares where rows came from. Only EPSG codes from settings.ALLOWED_SRIDS leave this
module; a file declaring anything else is refused before its geometry is transformed.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import pyogrio.raw
from django.core.exceptions import ValidationError

from gis_portal.api.crs import parse_srid
from parcels.imports.report import ImportFileError

# Canonical attribute -> accepted source column names (compared case-insensitively).
ALIASES: dict[str, tuple[str, ...]] = {
    "cadastral_number": ("cadastral_number", "cad_number", "nr_cad", "nrcad", "nr_cadastral", "cadastral",
                         "e2identifier", "cad_no", "ncad"),
    "cf_number": ("cf_number", "cf", "nr_cf", "carte_funciara"),
    "old_cf_number": ("old_cf_number", "paperlbno", "cf_vechi"),
    "topo_number": ("topo_number", "topono", "nr_top"),
    "legal_area_m2": ("legal_area_m2", "legal_area", "parcellegalarea", "suprafata_acte", "s_acte"),
    "use_category": ("use_category", "usecategory", "categorie", "cat_fol"),
    "address": ("address", "adresa"),
    "siruta": ("siruta",),
}
BUILDING_ALIASES: dict[str, tuple[str, ...]] = {
    "cadastral_number": ALIASES["cadastral_number"] + ("parcel",),
    "cadastral_id": ("cadastral_id", "buildno", "nr_constructie", "building"),
    "levels": ("levels", "levelsno", "nr_niveluri"),
    "height_m": ("height_m", "height", "inaltime"),
    "destination": ("destination", "buildingdestination", "destinatie"),
}
BUILDING_LAYERS = ("buildings", "building", "constructii", "cladiri")

# ESRI .prj files often carry names but no authority code; these are the whitelisted ones.
ESRI_NAMES = {"stereo_70": 3844, "stereo70": 3844, "pulkovo_1942_58_stereo70": 3844,
              "gcs_wgs_1984": 4326, "wgs_1984": 4326, "wgs_1984_web_mercator_auxiliary_sphere": 3857,
              "gcs_etrs_1989": 4258}


@dataclass
class BuildingBatch:
    """Buildings of a file: `parcel_ref` is the parcel's cadastral number (vector files) or the
    index of the parcel row (CGXML)."""

    parcel_ref: list
    cadastral_id: list
    wkb: list
    levels: list
    height_m: list
    destination: list
    rows: list  # 1-based source row of each building, for the report


@dataclass
class Batch:
    """Parallel arrays of the parcel rows of one file, plus its CRS."""

    format: str
    srid: int
    wkb: list
    attrs: dict[str, list | np.ndarray | pa.Array] = field(default_factory=dict)
    buildings: BuildingBatch | None = None
    wkb_arrow: pa.Array | pa.ChunkedArray | None = None  # the same WKB as the reader's Arrow array, when it had one (saves a copy)

    def __len__(self) -> int:
        return len(self.wkb)


def sniff_format(path: Path) -> str:
    """Name the format from the file's bytes, not its extension."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror}.") from None
    if not head.strip():
        raise ImportFileError("The file is empty.")
    if head.startswith(b"SQLite format 3\x00"):
        # GeoPackage sets application_id 'GPKG' (or 'GP10'/'GP11') at offset 68.
        if head[68:72] in (b"GPKG", b"GP10", b"GP11"):
            return "gpkg"
        raise ImportFileError("The file is an SQLite database but not a GeoPackage.")
    if head.startswith(b"PK\x03\x04"):
        return "shapefile-zip"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        if re.search(rb"<\s*CGXML[\s>]", head):
            return "cgxml"
        raise ImportFileError("The file is XML but not a CGXML (eTerra) export: no <CGXML> root element.")
    if text.startswith(b"{") and b'"type"' in head:
        return "geojson"
    raise ImportFileError("Unknown or unsupported file format: expected GeoJSON, GeoPackage, a zipped "
                          "Shapefile or a CGXML export (the content was checked, not only the extension).")


def srid_from_crs(crs: str | None) -> int | None:
    """Map the CRS text GDAL reports ("EPSG:3844", WKT or ESRI WKT) to an EPSG code, or None."""
    if not crs:
        return None
    match = re.fullmatch(r"\s*EPSG:(\d+)\s*", crs)
    if match:
        return int(match.group(1))
    # The authority of the CRS itself is the last ID/AUTHORITY in WKT (inner ones name parts).
    codes = re.findall(r'(?:ID|AUTHORITY)\["EPSG",\s*"?(\d+)"?\]', crs)
    if codes and crs.rstrip().endswith("]]"):
        return int(codes[-1])
    name = re.match(r'\s*(?:PROJCS|GEOGCS|PROJCRS|GEOGCRS)\["([^"]+)"', crs)
    if name:
        key = re.sub(r"[^a-z0-9]+", "_", name.group(1).lower()).strip("_")
        if key in ESRI_NAMES:
            return ESRI_NAMES[key]
    raise ImportFileError("The file's CRS has no EPSG code this service recognises; re-export it in "
                          "EPSG:3844 (Stereo 70) or EPSG:4326.")


def resolve_srid(file_srid: int | None, declared: int | None) -> int:
    """The file's own CRS wins; --srid is required when the file has none and must agree otherwise."""
    if file_srid is None and declared is None:
        raise ImportFileError("The file does not say which CRS its coordinates are in: pass --srid "
                              "(e.g. --srid 3844 for Stereo 70).")
    if file_srid is not None and declared is not None and file_srid != declared:
        raise ImportFileError(f"The file declares EPSG:{file_srid} but --srid {declared} was given; "
                              f"drop --srid or fix the file.")
    srid = file_srid if file_srid is not None else declared
    try:
        return parse_srid(srid, field="srid")
    except ValidationError as exc:
        raise ImportFileError(exc.message_dict["srid"][0]) from None


def normalize_text(value) -> str:
    """Trim, NFC-normalise and replace the cedilla letters eTerra exports (ş ţ) with comma-below ones."""
    if value is None:
        return ""
    if isinstance(value, float):
        if not np.isfinite(value):
            return ""
        value = int(value) if value.is_integer() else value
    text = unicodedata.normalize("NFC", str(value).strip())
    return text.translate(str.maketrans("şţŞŢ", "șțȘȚ"))


def _columns(names: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    lowered = [n.lower() for n in names]
    found = {}
    for canonical, options in aliases.items():
        for option in options:
            if option in lowered:
                found[canonical] = lowered.index(option)
                break
    return found


def _vector_path(path: Path, fmt: str) -> str:
    if fmt != "shapefile-zip":
        return str(path)
    from gis_portal.security import zip_problem

    problem = zip_problem(path)  # zip bombs and unsafe member names, before GDAL opens a member
    if problem:
        raise ImportFileError(problem)
    try:
        with zipfile.ZipFile(path) as zf:
            shps = [n for n in zf.namelist() if n.lower().endswith(".shp") and not n.startswith("__MACOSX")]
    except zipfile.BadZipFile:
        raise ImportFileError("The zip archive is corrupt.") from None
    if not shps:
        raise ImportFileError("The zip archive contains no .shp file.")
    if len(shps) > 1:
        raise ImportFileError(f"The zip archive contains several shapefiles ({', '.join(shps)}); send one.")
    return f"/vsizip/{path}/{shps[0]}"


def _read_layer(source: str, layer: str | None, aliases: dict[str, tuple[str, ...]], encoding: str | None, *,
                arrow_attrs: bool = False):
    """(meta, WKB array, {canonical: array}, WKB Arrow array) of one layer, read through Arrow (in
    bulk, not one Python object per field). The attributes stay Arrow arrays with `arrow_attrs`
    (the parcel loader works on them column-wise), else they are NumPy arrays."""
    try:
        meta, table = pyogrio.raw.read_arrow(source, layer=layer, encoding=encoding)
    except Exception as exc:  # pyogrio raises DataSourceError/DataLayerError/… for corrupt input
        raise ImportFileError(f"Cannot read the file: {str(exc).splitlines()[0]}") from None
    geometry_name = meta.get("geometry_name") or "wkb_geometry"
    names = [n for n in table.column_names if n != geometry_name]
    columns = _columns(names, aliases)
    wkb = table.column(geometry_name)
    attrs = {name: table.column(names[idx]).combine_chunks() for name, idx in columns.items()}
    if not arrow_attrs:
        attrs = {name: values.to_numpy(zero_copy_only=False) for name, values in attrs.items()}
    return meta, wkb.to_numpy(zero_copy_only=False), attrs, wkb if wkb.type == pa.binary() else None


def _fix_mojibake(attrs: dict[str, pa.Array]) -> bool:
    """A UTF-8 .dbf without a .cpg is read as Latin-1 ("BacÄƒu"): detect and repair it."""
    repaired = False
    for name, column in attrs.items():
        if not pa.types.is_string(column.type) or pc.all(pc.string_is_ascii(column)).as_py() is not False:
            continue
        values = column.to_pylist()
        for i, value in enumerate(values):
            if isinstance(value, str) and not value.isascii():
                try:
                    values[i] = value.encode("latin-1").decode("utf-8")
                except (UnicodeEncodeError, UnicodeDecodeError):
                    continue
                repaired = True
        attrs[name] = pa.array(values, type=pa.string())
    return repaired


def _check_utf8(path: Path) -> None:
    """RFC 7946 GeoJSON is UTF-8: check it chunk by chunk (never the whole file in memory)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise ImportFileError(f"The GeoJSON is not UTF-8 (invalid byte at offset {offset + exc.start}); "
                                      f"RFC 7946 requires UTF-8: re-save the file as UTF-8.") from None
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ImportFileError(f"The GeoJSON is not UTF-8 (a character is cut at offset {offset}); RFC 7946 "
                                  f"requires UTF-8: re-save the file as UTF-8.") from None


@dataclass
class VectorSource:
    """An opened GeoJSON, GeoPackage or zipped Shapefile: where its parcels are and which of its
    columns hold what, before any row is read. Rows come either all at once (`read_whole`) or in
    batches (`keys`, then `batches`), so that a bulk load holds one batch of geometries at a time."""

    fmt: str
    source: str  # the path GDAL opens (/vsizip/… for a zipped Shapefile)
    layer: str
    building_layer: str | None
    srid: int
    columns: dict[str, str]  # canonical attribute -> the file's column name
    warnings: list[str] = field(default_factory=list)

    def keys(self) -> dict[str, pa.Array]:
        """The columns that identify a row (cadastral number, SIRUTA, SIRSUP), without geometries."""
        wanted = {name: self.columns[name] for name in ("cadastral_number", "siruta", "sirsup") if name in self.columns}
        try:
            _meta, table = pyogrio.raw.read_arrow(self.source, layer=self.layer, columns=list(wanted.values()),
                                                  read_geometry=False)
        except Exception as exc:
            raise ImportFileError(f"Cannot read the file: {str(exc).splitlines()[0]}") from None
        attrs = {name: table.column(column).combine_chunks() for name, column in wanted.items()}
        if self.fmt == "shapefile-zip":
            _fix_mojibake(attrs)
        return attrs

    def batches(self, size: int) -> Iterator[tuple[pa.Array, dict[str, pa.Array]]]:
        """(WKB, {canonical: column}) of consecutive batches of `size` rows, in file order."""
        try:
            with pyogrio.raw.open_arrow(self.source, layer=self.layer, columns=list(self.columns.values()),
                                        batch_size=size, use_pyarrow=True) as (meta, reader):
                geometry = meta.get("geometry_name") or "wkb_geometry"
                for record in reader:
                    attrs = {name: record.column(column) for name, column in self.columns.items()}
                    if (self.fmt == "shapefile-zip" and _fix_mojibake(attrs)
                            and MOJIBAKE_WARNING not in self.warnings):
                        self.warnings.append(MOJIBAKE_WARNING)
                    yield record.column(geometry), attrs
        except ImportFileError:
            raise
        except Exception as exc:  # pyogrio raises DataSourceError/DataLayerError/… for corrupt input
            raise ImportFileError(f"Cannot read the file: {str(exc).splitlines()[0]}") from None

    def read_whole(self) -> Batch:
        """Every parcel row at once, and the buildings layer when there is one."""
        meta, geoms, attrs, wkb_arrow = _read_layer(self.source, self.layer, ALIASES, None, arrow_attrs=True)
        if len(geoms) == 0:
            raise ImportFileError("The file contains no features.")
        if self.fmt == "shapefile-zip" and _fix_mojibake(attrs):
            self.warnings.append(MOJIBAKE_WARNING)
        batch = Batch(format=self.fmt, srid=self.srid, wkb=geoms, attrs=attrs, wkb_arrow=wkb_arrow)
        if self.building_layer:
            batch.buildings = self._buildings()
        return batch

    def _buildings(self) -> BuildingBatch | None:
        bmeta, bgeoms, battrs, _ = _read_layer(self.source, self.building_layer, BUILDING_ALIASES, None)
        if srid_from_crs(bmeta.get("crs")) not in (None, self.srid):
            raise ImportFileError("The buildings layer is in a different CRS from the parcels layer.")
        if "cadastral_number" not in battrs or "cadastral_id" not in battrs or not len(bgeoms):
            self.warnings.append(f"Layer {self.building_layer!r} was skipped: it needs cadastral_number and "
                                 f"cadastral_id columns.")
            return None
        n = len(bgeoms)
        return BuildingBatch(
            parcel_ref=[normalize_text(v) for v in battrs["cadastral_number"]],
            cadastral_id=[normalize_text(v) for v in battrs["cadastral_id"]], wkb=list(bgeoms),
            levels=list(battrs.get("levels", [None] * n)), height_m=list(battrs.get("height_m", [None] * n)),
            destination=[normalize_text(v) for v in battrs.get("destination", [""] * n)],
            rows=list(range(1, n + 1)))


MOJIBAKE_WARNING = "Text was UTF-8 but the shapefile has no .cpg file saying so; it was read as UTF-8."


def open_vector(path: Path, fmt: str, declared_srid: int | None) -> VectorSource:
    """Open a GeoJSON, GeoPackage or zipped Shapefile: its layers, columns and CRS (no rows yet)."""
    if fmt == "geojson":
        _check_utf8(path)
    source = _vector_path(path, fmt)
    try:
        layers = [name for name, _gtype in pyogrio.list_layers(source)]
    except Exception as exc:
        raise ImportFileError(f"Cannot read the file: {str(exc).splitlines()[0]}") from None
    building_layer = next((name for name in layers if name.lower() in BUILDING_LAYERS), None)
    parcel_layers = [name for name in layers if name != building_layer]
    if not parcel_layers:
        raise ImportFileError("The file has no parcel layer.")
    parcel_layer = next((name for name in parcel_layers if name.lower() in ("parcels", "parcele", "parcel")),
                        parcel_layers[0])
    try:
        info = pyogrio.read_info(source, layer=parcel_layer)
    except Exception as exc:
        raise ImportFileError(f"Cannot read the file: {str(exc).splitlines()[0]}") from None
    names = [str(name) for name in info["fields"]]
    columns = {canonical: names[idx] for canonical, idx in _columns(names, ALIASES).items()}
    if "cadastral_number" not in columns:
        raise ImportFileError(f"No cadastral number column: expected one of {', '.join(ALIASES['cadastral_number'])}.")
    srid = resolve_srid(srid_from_crs(info.get("crs")), declared_srid)
    return VectorSource(fmt=fmt, source=source, layer=parcel_layer, building_layer=building_layer, srid=srid,
                        columns=columns)
