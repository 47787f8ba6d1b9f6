"""Importing street register data with pyogrio: a GeoPackage (layers `streets`, `street_names`, `numbers`)
or one CSV table (its columns say which).

- `streets` (lines): `uat_siruta`, `code`, `name`, optional `locality_siruta`, `valid_from`, `decision`.
- `street_names` (no geometry, the history): `uat_siruta`, `code`, `name`, `valid_from`, `decision`; applied in
  date order as renamings of the street of that code (an existing name at that date is skipped).
- `numbers` (points; a CSV gives `x`, `y` in Stereo 70): `uat_siruta`, `street_code`, `number`, optional
  `cadastral_number` (the parcel it lies in, else found by the point), `valid_from`, `decision`.

An import adds to the register: a street of an existing code is renamed when its name differs, a number
already in force is kept; nothing is deleted. Each run is recorded as a RegisterImport.
"""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import transaction

from addresses import services
from addresses.models import BuildingNumber, RegisterImport, Street, number_key
from addresses.selectors import in_force
from parcels.models import UAT, Locality, Parcel

MAX_ROWS = 500_000


def _read(path: Path, layer: str | None = None):
    import pyogrio

    options = {}
    if path.suffix.lower() == ".csv":
        options = {"X_POSSIBLE_NAMES": "x", "Y_POSSIBLE_NAMES": "y", "KEEP_GEOM_COLUMNS": "NO"}
    try:
        df = pyogrio.read_dataframe(str(path), layer=layer, max_features=MAX_ROWS + 1, **options)
    except Exception as exc:  # noqa: BLE001 - GDAL errors come in many types
        raise ValidationError({"file": [f"Cannot read {path.name}: {exc}"]}) from None
    if len(df) > MAX_ROWS:
        raise ValidationError({"file": [f"More than {MAX_ROWS} rows."]})
    srid = 3844
    if getattr(df, "crs", None) is not None:
        srid = df.crs.to_epsg() or 3844
    return df, srid


def _date(value, default: date) -> date:
    if value is None or value == "" or str(value) in ("NaT", "nan", "None"):
        return default
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValidationError({"valid_from": [f"Not a date: {value!r}."]}) from None


def _text(row, name: str) -> str:
    value = row.get(name)
    if value is None or str(value) in ("nan", "None"):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _geom(row, srid: int) -> GEOSGeometry | None:
    geom = row.get("geometry")
    if geom is None or geom.is_empty:
        return None
    return GEOSGeometry(memoryview(geom.wkb), srid=srid)


def _records(df) -> list[dict]:
    return [dict(zip(df.columns, values, strict=True)) for values in df.itertuples(index=False, name=None)]


class _Importer:
    def __init__(self, record: RegisterImport):
        self.record = record
        self.uats: dict[int, UAT] = {}

    def uat(self, siruta: str) -> UAT:
        key = int(float(siruta)) if siruta else 0
        if key not in self.uats:
            uat = UAT.objects.filter(siruta=key).first()
            if uat is None:
                raise ValidationError({"uat_siruta": [f"No UAT with SIRUTA code {siruta!r}."]})
            self.uats[key] = uat
        return self.uats[key]

    def street(self, uat: UAT, code: str) -> Street:
        street = Street.objects.filter(uat=uat, code=code).first()
        if street is None:
            raise ValidationError({"street_code": [f"No street {code!r} in {uat.name}."]})
        return street

    def streets(self, df, srid: int) -> None:
        for row in _records(df):
            uat = self.uat(_text(row, "uat_siruta"))
            code, name = _text(row, "code"), _text(row, "name")
            locality = None
            if _text(row, "locality_siruta"):
                locality = Locality.objects.filter(siruta=int(float(_text(row, "locality_siruta")))).first()
            since = _date(row.get("valid_from"), services.EPOCH)
            existing = Street.objects.filter(uat=uat, code=code).first()
            if existing is None:
                services.street_add(uat=uat, code=code, name=name, valid_from=since, decision=_text(row, "decision"),
                                    locality=locality, axis=_geom(row, srid), source=self.record)
                self.record.streets += 1
                continue
            axis = _geom(row, srid)
            if axis is not None:
                existing.axis = services._as_axis(axis)
                existing.save(update_fields=["axis"])
            self.rename(existing, name, since, _text(row, "decision"))

    def rename(self, street: Street, name: str, on: date, decision: str) -> None:
        if street.names.filter(in_force(on), name=name).exists() or street.names.filter(valid_from__gte=on).exists():
            return  # already so named then, or a later name is known: history is not rewritten by an import
        services.street_rename(street=street, name=name, on=on, decision=decision or "import")
        self.record.renamings += 1

    def names(self, df) -> None:
        rows = sorted(_records(df), key=lambda r: _date(r.get("valid_from"), services.EPOCH))
        for row in rows:
            uat = self.uat(_text(row, "uat_siruta"))
            code, name = _text(row, "code"), _text(row, "name")
            since = _date(row.get("valid_from"), services.EPOCH)
            street = Street.objects.filter(uat=uat, code=code).first()
            if street is None:
                services.street_add(uat=uat, code=code, name=name, valid_from=since, decision=_text(row, "decision"),
                                    source=self.record)
                self.record.streets += 1
            else:
                self.rename(street, name, since, _text(row, "decision"))

    def numbers(self, df, srid: int) -> None:
        for row in _records(df):
            uat = self.uat(_text(row, "uat_siruta"))
            street = self.street(uat, _text(row, "street_code"))
            number, point = _text(row, "number"), _geom(row, srid)
            cadastral = _text(row, "cadastral_number")
            if cadastral:
                parcel = Parcel.objects.filter(uat=uat, cadastral_number=cadastral).first()
            elif point is not None:
                parcel = Parcel.objects.filter(uat=uat, geom__intersects=point.transform(3844, clone=True)).first()
            else:
                parcel = None
            if parcel is None:
                raise ValidationError({"cadastral_number": [f"No parcel for number {number!r} on {street.code!r}."]})
            on = _date(row.get("valid_from"), services.EPOCH)
            if BuildingNumber.objects.filter(in_force(on), street=street, number_key=number_key(number)).exists():
                continue
            services.number_assign(parcel=parcel, street=street, number=number, on=on, point=point,
                                   decision=_text(row, "decision"), source=self.record)
            self.record.numbers += 1


@transaction.atomic
def register_import(*, path: Path) -> RegisterImport:
    """Import a GeoPackage or a CSV into the street register; all or nothing."""
    path = Path(path)
    record = RegisterImport.objects.create(source_name=path.name[:255],
                                           source_sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    importer = _Importer(record)
    if path.suffix.lower() == ".csv":
        df, srid = _read(path)
        columns = set(df.columns)
        if {"street_code", "number"} <= columns:
            importer.numbers(df, srid)
        elif {"code", "name"} <= columns:
            importer.names(df)
        else:
            raise ValidationError({"file": ["A CSV needs the columns code, name (street names) or street_code, "
                                            "number, x, y (building numbers)."]})
    else:
        import pyogrio

        try:
            present = {name for name, _ in pyogrio.list_layers(str(path))}
        except Exception as exc:  # noqa: BLE001
            raise ValidationError({"file": [f"Cannot read {path.name}: {exc}"]}) from None
        if not present & {"streets", "street_names", "numbers"}:
            raise ValidationError({"file": ["The GeoPackage has none of the layers streets, street_names, numbers."]})
        if "streets" in present:
            importer.streets(*_read(path, "streets"))
        if "street_names" in present:
            importer.names(_read(path, "street_names")[0])
        if "numbers" in present:
            importer.numbers(*_read(path, "numbers"))
    if len(importer.uats) == 1:
        record.uat = next(iter(importer.uats.values()))
    record.save()
    return record
