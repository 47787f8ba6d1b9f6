"""The demo layers: one Layer per theme of the rules catalogue, features from the county plan.

Every version gets the county boundary as coverage and is published through
layers.services.layer_version_publish (which subdivides features for fast predicates).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
import shapely.affinity
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.utils.translation import gettext_noop
from shapely.geometry import LineString, box

from demo import bacau, writer
from demo.catalog import REGIMES
from demo.layout import PITCH_X, PITCH_Y, RIVERS, STREET_W, CountyLayout, intravilan_limit
from layers.models import Layer, LayerVersion
from layers.services import layer_version_publish, layer_version_start

PROVENANCE = "Date sintetice generate de `manage.py demo_county` (nu reprezintă date oficiale)."
SYNTHETIC = bacau.ATTRIBUTION["synthetic"]
REAL = {  # layers of real data: provenance and attribution (demo.bacau, README "Data and attribution")
    "demo-uat": ("Limitele celor 93 de UAT ale județului Bacău (ANCPI, 2014), coduri SIRUTA (INS, 2025 S1).",
                 f"{bacau.ATTRIBUTION['uat']}; {bacau.ATTRIBUTION['siruta']}"),
    "demo-lmi": ("Lista monumentelor istorice 2015 (Ordinul MC 2828/2015); punctele după articolele ro.wikipedia.",
                 f"{bacau.ATTRIBUTION['lmi']}; {bacau.ATTRIBUTION['lmi_points']}"),
}


@dataclass(frozen=True)
class LayerSpec:
    slug: str
    name: str
    kind: str
    theme: str

    @property
    def synthetic(self) -> bool:
        return self.slug not in REAL


LAYERS: tuple[LayerSpec, ...] = (
    LayerSpec("demo-uat", gettext_noop("Limite UAT (județul Bacău)"), "reference", "uat_boundary"),
    LayerSpec("demo-intravilan", gettext_noop("Limite intravilan (PUG)"), "reference", "intravilan_limit"),
    LayerSpec("demo-streets", gettext_noop("Străzi (axe)"), "reference", "street_axis"),
    LayerSpec("demo-blocks", gettext_noop("Cvartale (insule construibile)"), "reference", "urban_block"),
    LayerSpec("demo-utr", gettext_noop("UTR — reglementări PUG"), "zoning", "utr_polygon"),
    LayerSpec("demo-lmi", gettext_noop("Monumente istorice (LMI)"), "constraint", "lmi_monument"),
    LayerSpec("demo-lmi-zones", gettext_noop("Zone de protecție a monumentelor"), "constraint", "monument_protection_zone"),
    LayerSpec("demo-rivers", gettext_noop("Albii minore ale cursurilor de apă"), "constraint", "river_albia_minora"),
    LayerSpec("demo-lakes", gettext_noop("Lacuri naturale (nivel mediu)"), "constraint", "natural_lake_mean_level"),
    LayerSpec("demo-dn", gettext_noop("Drumuri naționale (axe)"), "constraint", "road_axis_national"),
    LayerSpec("demo-dj", gettext_noop("Drumuri județene (axe)"), "constraint", "road_axis_county"),
    LayerSpec("demo-cf", gettext_noop("Căi ferate (axe)"), "constraint", "railway_axis"),
    LayerSpec("demo-lea-20kv", gettext_noop("LEA 20 kV"), "constraint", "power_line_20kV"),
    LayerSpec("demo-lea-110kv", gettext_noop("LEA 110 kV"), "constraint", "power_line_110kV"),
    LayerSpec("demo-gas", gettext_noop("Conducte de gaze naturale"), "constraint", "gas_pipeline"),
    LayerSpec("demo-water", gettext_noop("Conducte de alimentare cu apă"), "constraint", "water_main"),
    LayerSpec("demo-street-rehab", gettext_noop("Străzi reabilitate (moratoriu la săpături)"), "reference",
              "street_rehabilitation"),
    LayerSpec("demo-flood", gettext_noop("Zone inundabile (hazard 1 %)"), "constraint", "flood_hazard_zone"),
    LayerSpec("demo-natura2000", gettext_noop("Situri Natura 2000"), "constraint", "natura2000_site"),
    LayerSpec("demo-dem", gettext_noop("Model digital al terenului"), "raster", "dem"),
    LayerSpec("demo-flood-depth", gettext_noop("Adâncimea apei la inundație (1 %)"), "raster", "flood_depth"),
)
SLUGS = tuple(s.slug for s in LAYERS)


def start(spec: LayerSpec, *, coverage: MultiPolygon, seed: int) -> LayerVersion:
    provenance, attribution = REAL.get(spec.slug, (PROVENANCE, SYNTHETIC))
    layer, _ = Layer.objects.update_or_create(
        slug=spec.slug, defaults={"name": spec.name, "kind": spec.kind, "theme": spec.theme, "provenance": provenance,
                                  "attribution": attribution, "synthetic": spec.synthetic})
    version = layer_version_start(layer=layer, source_name=f"demo_county seed={seed}", source_srid=3844)
    version.coverage = coverage
    version.save(update_fields=["coverage"])
    return version


def vector_features(layout: CountyLayout, monuments: list[dict], street_names: dict, *,
                    uats: list[tuple[int, str, str, object]]) -> dict[str, list]:
    """Features per layer slug as (source_id, name, attrs, shapely geometry) tuples; `uats` are the
    (SIRUTA, name, kind, boundary) outlines of the UAT layer."""
    out: dict[str, list] = {s.slug: [] for s in LAYERS if s.kind != "raster"}
    out["demo-uat"] = [(str(siruta), name, {"siruta": siruta, "name": name, "kind": kind, "synthetic": not layout.real},
                        boundary) for siruta, name, kind, boundary in uats]
    for key, lay in layout.uats.items():
        sp = lay.spec
        out["demo-intravilan"].append((f"INTRAV-{sp.siruta}", f"Intravilan {sp.name}",
                                       {"siruta": sp.siruta, "uat": sp.name, "plan": sp.plan}, intravilan_limit(lay)))
        x0, y0, x1, y1 = lay.intra.bounds
        h_names, v_names = street_names[key]
        for j in range(lay.rows + 1):
            y = y0 + j * PITCH_Y + STREET_W / 2
            out["demo-streets"].append((f"STR-{sp.siruta}-H{j}", h_names[j], {"siruta": sp.siruta, "width_m": STREET_W},
                                        LineString([(x0, y), (x1, y)])))
        for i in range(lay.cols + 1):
            x = x0 + i * PITCH_X + STREET_W / 2
            out["demo-streets"].append((f"STR-{sp.siruta}-V{i}", v_names[i], {"siruta": sp.siruta, "width_m": STREET_W},
                                        LineString([(x, y0), (x, y1)])))
        ii, jj = np.meshgrid(np.arange(lay.cols), np.arange(lay.rows), indexing="ij")
        bx, by = x0 + STREET_W + ii.ravel() * PITCH_X, y0 + STREET_W + jj.ravel() * PITCH_Y
        blocks = shapely.box(bx, by, bx + PITCH_X - STREET_W, by + PITCH_Y - STREET_W)
        for g, i, j in zip(blocks, ii.ravel(), jj.ravel(), strict=True):
            out["demo-blocks"].append((f"BLK-{sp.siruta}-{i}-{j}", f"Cvartal {i}-{j}", {"siruta": sp.siruta}, g))
        for code, geom in lay.zones.items():
            out["demo-utr"].append((f"UTR-{sp.siruta}-{code}", f"{code} — {REGIMES[code]['name']}",
                                    {"utr_code": code, "siruta": sp.siruta, "uat": sp.name}, geom))
    for m in monuments:
        out["demo-lmi"].append((m["lmi_code"], m["name"], {"group": m["group"], "lmi_code": m["lmi_code"],
                                                          "name": m["name"], "siruta": m["siruta"],
                                                          "address": m["address"], "lon_lat": m["lon_lat"]}, m["geom"]))
        if m.get("zone") is not None:
            out["demo-lmi-zones"].append((f"ZP-{m['lmi_code']}", f"Zona de protecție — {m['name']}",
                                          {"lmi_code": m["lmi_code"], "name": m["name"]}, m["zone"]))
    for key, (name, width, cls) in RIVERS.items():
        out["demo-rivers"].append((key.upper(), name, {"name": name, "width_m": width, "width_class": cls,
                                                       "regularized": False}, layout.rivers[key]))
    out["demo-lakes"].append(("LAC-VALEA-SEACA", "Iazul Valea Seacă", {"name": "Iazul Valea Seacă",
                                                                   "mean_level_m": 158.2}, layout.lake))
    line = layout.lines
    out["demo-dn"].append(("DN2", "DN2 / E85", {"road": "DN2", "euro": "E85", "category": "national",
                                                "administrator": "CNAIR — DRDP Iași"}, line["dn2"]))
    out["demo-dj"].append(("DJ-DEMO", "Drum județean (demo)", {"road": "DJ-DEMO", "category": "county",
                                                  "administrator": "Consiliul Județean Bacău"}, line["dj"]))
    out["demo-cf"].append(("CF500", "Magistrala CFR 500", {"line": "500", "tracks": 2, "electrified": True},
                           line["rail"]))
    out["demo-lea-20kv"].append(("LEA20-1", "LEA 20 kV Valea Seacă", {"voltage_kv": 20, "operator": "Delgaz Grid"},
                                 line["lea20"]))
    out["demo-lea-110kv"].append(("LEA110-1", "LEA 110 kV Bacău Nord – Bacău Est",
                                  {"voltage_kv": 110, "operator": "Delgaz Grid"}, line["lea110"]))
    out["demo-gas"].append(("GAZ-MP-1", "Conductă gaze medie presiune", {"pressure": "medie", "diameter_mm": 250,
                                                                         "operator": "Delgaz Grid"}, line["gas"]))
    # Synthetic: a water main along the gas main, 8 m north of it (the operator is the real county company).
    out["demo-water"].append(("APA-1", "Conductă de distribuție apă", {"diameter_mm": 300, "material": "PEHD",
                                                                       "operator": "CRAB SA"},
                              shapely.affinity.translate(line["gas"], yoff=8.0)))
    out["demo-street-rehab"] = street_rehab(out["demo-streets"], layout)
    out["demo-flood"].append(("INUND-BISTRITA", "Zonă inundabilă Bistrița",
                              {"return_period": "1%", "river": "Bistrița"}, layout.flood))
    out["demo-natura2000"].append(("ROSPA0063", "Lacurile de acumulare Buhuși – Bacău – Berești",
                                   {"site_code": "ROSPA0063", "site_type": "SPA"}, layout.natura))
    return out


def street_rehab(streets: list, layout: CountyLayout) -> list:
    """Synthetic rehabilitated segments in Bacău: two streets redone recently (a moratorium on digging
    runs) and one long ago (none runs), each with its `rehabilitated_on` date."""
    siruta = layout.uats["bacau"].spec.siruta
    dates = {"H2": "2024-09-15", "V2": "2023-05-10", "V4": "2015-10-01"}
    return [(f"REAB-{source_id}", name, {"siruta": siruta, "rehabilitated_on": dates[source_id.rsplit("-", 1)[1]],
                                         "works": "covor asfaltic și trotuare (sintetic)"}, geom)
            for source_id, name, attrs, geom in streets
            if attrs["siruta"] == siruta and source_id.rsplit("-", 1)[1] in dates]


def extra_constraints(layout: CountyLayout, rng: np.random.Generator, count: int) -> dict[str, list]:
    """Large irregular polygons (flood zones, protected sites) that make big benchmarks realistic."""
    x0, y0, x1, y1 = layout.county.bounds
    out: dict[str, list] = {"demo-flood": [], "demo-natura2000": []}
    a = np.linspace(0, 2 * math.pi, 160, endpoint=False)
    for k in range(count):
        cx, cy, r = rng.uniform(x0, x1), rng.uniform(y0, y1), rng.uniform(300, 1500)
        wobble = 1 + 0.25 * np.sin(3 * a + rng.uniform(0, 6)) + 0.1 * np.sin(7 * a + rng.uniform(0, 6))
        poly = shapely.Polygon(np.round(np.column_stack([cx + r * wobble * np.cos(a), cy + r * wobble * np.sin(a)]), 2))
        poly = shapely.intersection(poly, layout.county)
        if poly.is_empty:
            continue
        if k % 2:
            out["demo-flood"].append((f"INUND-X{k}", f"Zonă inundabilă {k}", {"return_period": "1%"}, poly))
        else:
            code = f"ROSCI9{k:03d}"  # invented codes: real ROSCI codes stop well below 9000
            out["demo-natura2000"].append((code, f"Sit sintetic {code}", {"site_code": code, "site_type": "SCI"}, poly))
    return out


def write_vectors(features: dict[str, list], *, coverage: MultiPolygon, seed: int) -> dict[str, LayerVersion]:
    versions = {}
    for spec in LAYERS:
        if spec.kind == "raster":
            continue
        version = start(spec, coverage=coverage, seed=seed)
        rows = features.get(spec.slug, [])
        geoms = [shapely.make_valid(g) if not g.is_valid else g for _, _, _, g in rows]
        writer.copy_features(version_id=version.pk, source_ids=[r[0] for r in rows], names=[r[1] for r in rows],
                             attrs=[r[2] for r in rows], geoms=geoms)
        versions[spec.slug] = layer_version_publish(version=version)
    return versions


def to_geos(geom) -> MultiPolygon:
    """A shapely (Multi)Polygon as a GEOS MultiPolygon in Stereo 70."""
    g = GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=3844)
    multi = MultiPolygon(g, srid=3844) if g.geom_type == "Polygon" else g
    assert isinstance(multi, MultiPolygon), g.geom_type
    return multi


def protection_zone(monument, parcel_geoms: np.ndarray, radius: float = 110.0):
    """A delimited protection zone follows cadastral limits: the parcels around the monument,
    closed over the streets between them."""
    centre = monument.centroid
    near = parcel_geoms[shapely.distance(shapely.centroid(parcel_geoms), centre) <= radius]
    zone = shapely.union_all(near).buffer(7.0, join_style="mitre").buffer(-7.0, join_style="mitre")
    return shapely.set_precision(zone, 0.01)


def site_box(x: float, y: float):
    return box(round(x - 40, 2), round(y - 25, 2), round(x + 40, 2), round(y + 25, 2))


__all__ = ["LAYERS", "SLUGS", "REAL", "vector_features", "extra_constraints", "write_vectors", "to_geos"]
