"""Pick the showcase parcels: for each legal trigger, the demo parcel that exercises it.

Chosen after the data is written, with the same PostGIS predicates the rules engine uses, so
the promise ("80 m from a monument") is measured rather than assumed. Deterministic: ties are
broken by cadastral number.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from demo.catalog import UATS
from demo.models import ShowcaseParcel

SIRUTA = {u.key: u.siruta for u in UATS}


def _layer(slug: str, source_id: str | None = None) -> str:
    """Current features of a demo layer (slugs and ids are constants of this module, not input)."""
    where = f" AND f.source_id = '{source_id}'" if source_id else ""
    return ("SELECT f.geom, f.source_id FROM layers_feature f JOIN layers_layerversion v ON v.id = f.version_id"
            f" AND v.is_current JOIN layers_layer l ON l.id = v.layer_id AND l.slug = '{slug}'{where}")


INTRAVILAN = f"EXISTS (SELECT 1 FROM ({_layer('demo-intravilan')}) i WHERE ST_Within(p.geom, i.geom))"
EXTRAVILAN = f"NOT EXISTS (SELECT 1 FROM ({_layer('demo-intravilan')}) i WHERE ST_Intersects(p.geom, i.geom))"
NO_ZONE = f"NOT EXISTS (SELECT 1 FROM ({_layer('demo-lmi-zones')}) z WHERE ST_Intersects(p.geom, z.geom))"
HAS_BUILDING = "EXISTS (SELECT 1 FROM parcels_building b WHERE b.parcel_id = p.id)"


def no_monument_within(metres: float, except_id: str = "") -> str:
    return (f"NOT EXISTS (SELECT 1 FROM ({_layer('demo-lmi')}) m WHERE m.source_id <> '{except_id}'"
            f" AND ST_DWithin(p.geom, m.geom, {float(metres)}))")


def within(slug: str, source_id: str) -> str:
    return f"EXISTS (SELECT 1 FROM ({_layer(slug, source_id)}) w WHERE ST_Within(p.geom, w.geom))"


@dataclass(frozen=True)
class Pick:
    key: str
    rules: tuple[str, ...]
    description: str
    slug: str
    source_id: str
    uat: str | None
    dmin: float
    dmax: float
    aim: float
    extra: tuple[str, ...] = field(default=())
    near: float | None = None


# Real LMI 2015 monuments at their real points (demo.catalog.MONUMENTS).
BACOVIA, NECROPOLA, PRECISTA, ASEZARE = "BC-IV-m-A-00930", "BC-I-s-B-00752", "BC-II-m-A-00757.01", "BC-I-s-B-00753"
PICKS: tuple[Pick, ...] = (
    Pick("monument-on-parcel", ("R1",), "Parcela pe care se află monumentul grupa A „Precista”",
         "demo-lmi", PRECISTA, "bacau", 0, 0, 0,
         (f"EXISTS (SELECT 1 FROM ({_layer('demo-lmi', PRECISTA)}) m WHERE ST_Intersects(p.geom, m.geom))",)),
    Pick("monument-protection-zone", ("R5",), "Parcelă în zona de protecție delimitată a monumentului „Precista”",
         "demo-lmi-zones", f"ZP-{PRECISTA}", "bacau", 0, 0, 0,
         (within("demo-lmi-zones", f"ZP-{PRECISTA}"), no_monument_within(30))),
    Pick("monument-80m-urban", ("R2",), "Intravilan urban, la ~80 m de un monument fără zonă de protecție",
         "demo-lmi", BACOVIA, "bacau", 70, 90, 80, (INTRAVILAN, NO_ZONE, no_monument_within(100, BACOVIA))),
    Pick("monument-150m-urban", (), "Intravilan urban, la ~150 m de monument: fără aviz de cultură",
         "demo-lmi", BACOVIA, "bacau", 140, 160, 150, (INTRAVILAN, NO_ZONE, no_monument_within(100))),
    Pick("monument-150m-rural", ("R3",), "Intravilan rural (comuna Valea Seacă), la ~150 m de necropolă",
         "demo-lmi", NECROPOLA, "valeaseaca", 140, 160, 150, (INTRAVILAN, NO_ZONE, no_monument_within(200, NECROPOLA))),
    Pick("monument-300m-extravilan", ("R4",), "Extravilan, la ~300 m de așezarea fortificată de la Valea Seacă",
         "demo-lmi", ASEZARE, "valeaseaca", 250, 350, 300, (EXTRAVILAN,)),
    Pick("lea110-within-10m", ("R12",), "La mai puțin de 10 m de axul LEA 110 kV",
         "demo-lea-110kv", "LEA110-1", "bacau", 2, 10, 6),
    Pick("lea110-30m", (), "La ~30 m de axul LEA 110 kV: în afara culoarului de 18,5 m",
         "demo-lea-110kv", "LEA110-1", "bacau", 27, 33, 30),
    Pick("lea20-within-12m", ("R11",), "La mai puțin de 12 m de axul LEA 20 kV",
         "demo-lea-20kv", "LEA20-1", None, 2, 10, 6),
    Pick("river-lt10", ("R17",), "Pe malul pârâului Trebiș (albie < 10 m), în fâșia de 5 m",
         "demo-rivers", "TREBIS", None, 0.5, 5, 3),
    Pick("river-10-50", ("R18",), "Pe malul pârâului Valea Seacă (albie 10–50 m), în fâșia de 15 m",
         "demo-rivers", "SEACA", None, 5.5, 15, 8),
    Pick("river-gt50", ("R19",), "Pe malul Bistriței (albie > 50 m), în fâșia de 20 m",
         "demo-rivers", "BISTRITA", "bacau", 15.5, 20, 17, (INTRAVILAN,)),
    Pick("lake-5m", ("R20",), "La mai puțin de 5 m de nivelul mediu al iazului Valea Seacă",
         "demo-lakes", "LAC-VALEA-SEACA", None, 0.5, 5, 3),
    Pick("flood-and-natura2000", ("R22", "R23"), "În zona inundabilă a Bistriței și în situl ROSPA0063",
         "demo-rivers", "BISTRITA", "bacau", 0, 150, 0,
         (within("demo-flood", "INUND-BISTRITA"), within("demo-natura2000", "ROSPA0063"), INTRAVILAN)),
    Pick("national-road", ("R6",), "Lângă DN2 / E85 (la mai puțin de 22 m de ax)",
         "demo-dn", "DN2", "bacau", 5, 22, 11, (INTRAVILAN,)),
    Pick("railway", ("R9", "R10"), "Lângă magistrala CFR 500 (la mai puțin de 20 m de ax)",
         "demo-cf", "CF500", "bacau", 5, 20, 9, (INTRAVILAN,)),
    Pick("county-road", ("R7",), "Lângă drumul județean (la mai puțin de 20 m de ax)",
         "demo-dj", "DJ-DEMO", "valeaseaca", 3, 20, 7, (INTRAVILAN,)),
    Pick("gas-pipeline", ("R16",), "Traversată de conducta de gaze", "demo-gas", "GAZ-MP-1", "bacau", 0, 0, 0),
    Pick("utr-m2", ("R36",), "Zona mixtă centrală M2, construită", "demo-utr", "UTR-20297-M2", "bacau", 0, 0, 0,
         (within("demo-utr", "UTR-20297-M2"), HAS_BUILDING, NO_ZONE, no_monument_within(100)), near=400),
    Pick("utr-l1a", ("R36",), "Zona de locuințe L1a, construită", "demo-utr", "UTR-20297-L1a", "bacau", 0, 0, 0,
         (within("demo-utr", "UTR-20297-L1a"), HAS_BUILDING, NO_ZONE, no_monument_within(100)), near=400),
    Pick("utr-id", ("R36",), "Zona industrială ID", "demo-utr", "UTR-20297-ID", "bacau", 0, 0, 0,
         (within("demo-utr", "UTR-20297-ID"),)),
    Pick("extravilan-field", ("R37",), "Teren arabil în extravilanul comunei Valea Seacă",
         "demo-intravilan", "INTRAV-26083", "valeaseaca", 40, 5000, 300, (EXTRAVILAN, "p.use_category = 'A'")),
)


def _parts(slug: str, source_id: str) -> str:
    """The subdivided parts of a feature: distances to a long river or a big zone stay cheap at 1M parcels."""
    return ("SELECT fp.geom FROM layers_featurepart fp JOIN layers_feature f ON f.id = fp.feature_id"
            " JOIN layers_layerversion v ON v.id = f.version_id AND v.is_current JOIN layers_layer l"
            f" ON l.id = v.layer_id AND l.slug = '{slug}' WHERE f.source_id = '{source_id}'")


def _sql(pick: Pick) -> tuple[str, list]:
    params: list = [pick.dmax]
    cand_where = ["true"]
    if pick.uat:
        cand_where.append("u.siruta = %s")
        params.append(SIRUTA[pick.uat])
    if pick.near:
        # Inside a big polygon every parcel qualifies: look only around a point of it.
        cand_where.append(f"ST_DWithin(p.geom, (SELECT ST_PointOnSurface(ST_Collect(geom)) FROM "
                          f"({_layer(pick.slug, pick.source_id)}) s), {float(pick.near)})")
    sql = (f"WITH parts AS ({_parts(pick.slug, pick.source_id)}), "
           "cand AS (SELECT p.id, p.geom, p.cadastral_number, p.use_category, min(ST_Distance(p.geom, parts.geom)) AS d"
           " FROM parcels_parcel p JOIN parcels_uat u ON u.id = p.uat_id JOIN parts ON ST_DWithin(p.geom, parts.geom, %s)"
           f" WHERE {' AND '.join(cand_where)} GROUP BY p.id) "
           f"SELECT p.id, p.d FROM cand p WHERE p.d >= %s AND {' AND '.join(('true',) + pick.extra)}"
           " ORDER BY abs(p.d - %s), p.cadastral_number LIMIT 1")
    return sql, params + [pick.dmin, pick.aim]


def showcase_pick_all() -> list[str]:
    """Replace the showcase list; returns the keys for which no parcel qualified."""
    ShowcaseParcel.objects.all().delete()
    missing = []
    rows = []
    with connection.cursor() as cur:
        for pick in PICKS:
            sql, params = _sql(pick)
            cur.execute(sql, params)
            hit = cur.fetchone()
            if hit is None:
                missing.append(pick.key)
                continue
            rows.append(ShowcaseParcel(key=pick.key, parcel_id=hit[0], rules=list(pick.rules),
                                       description=pick.description, distance_m=round(hit[1], 2)))
    ShowcaseParcel.objects.bulk_create(rows)
    return missing
