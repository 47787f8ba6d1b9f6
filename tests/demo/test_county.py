"""The default demo county: territory, parcels, buildings, layers and zoning are plausible and sound."""
from __future__ import annotations

import pytest
import rasterio
from django.db import connection
from django.db.models import Count

from demo import bacau
from demo.layersgen import LAYERS
from layers.models import Feature, FeaturePart, Layer, LayerVersion, ZoningUnit
from parcels.models import UAT, Building, Issuer, Locality, Parcel

pytestmark = pytest.mark.django_db


def scalar(sql: str, params=None):
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return cur.fetchone()[0]


def test_every_real_uat_of_the_county_is_there_with_its_name_kind_code_and_boundary(county):
    real = {u.siruta: u for u in bacau.uats()}
    assert len(real) == 93
    uats = {u.siruta: (u.name, u.kind, u.county) for u in UAT.objects.all()}
    assert uats == {s: (u.name, u.kind, "Bacău") for s, u in real.items()}
    assert (uats[20297], uats[20778], uats[26083], uats[20313]) == (
        ("Bacău", "municipiu", "Bacău"), ("Buhuși", "oras", "Bacău"), ("Valea Seacă", "comuna", "Bacău"),
        ("Hemeiuș", "comuna", "Bacău"))
    kinds = dict(UAT.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds == {"municipiu": 3, "oras": 5, "comuna": 85}
    # Each boundary is the real outline (EPSG:4326 → 3844), and together they make the county (≈ 6,621 km²).
    assert scalar("SELECT max(abs(ST_Area(boundary) - %s)) FROM parcels_uat WHERE siruta = 20297",
                  [real[20297].boundary.area]) < 1.0
    assert 6_550 < scalar("SELECT ST_Area(ST_Union(boundary)) / 1e6 FROM parcels_uat") < 6_700


def test_bacau_lies_on_the_real_city_centre(county):
    # Bacău city centre: lon 26.9146, lat 46.5670.
    assert scalar("SELECT ST_Contains(boundary, ST_Transform(ST_SetSRID(ST_MakePoint(26.9146, 46.5670), 4326), 3844))"
                  " FROM parcels_uat WHERE siruta = 20297")


def test_neighbouring_real_uats_share_a_border_and_do_not_overlap(county):
    hemeius_bacau = "ST_Length(ST_Intersection(ST_Boundary(a.boundary), ST_Boundary(b.boundary)))"
    assert scalar(f"SELECT {hemeius_bacau} FROM parcels_uat a, parcels_uat b WHERE a.siruta = 20313 AND b.siruta = 20297") > 500
    assert scalar("SELECT count(*) FROM parcels_uat a JOIN parcels_uat b ON a.id < b.id AND a.boundary && b.boundary"
                  " WHERE ST_Area(ST_Intersection(a.boundary, b.boundary)) > 1.0") == 0


def test_the_siruta_localities_belong_to_their_uats(county):
    assert Locality.objects.count() == 510
    bacau_seat = Locality.objects.get(siruta=20304)
    assert (bacau_seat.name, bacau_seat.uat.siruta, bacau_seat.is_seat, bacau_seat.urban) == ("BACĂU", 20297, True, True)
    assert Locality.objects.filter(uat__siruta=26083).count() >= 2
    assert Locality.objects.filter(is_seat=True).count() == 93


def test_each_uat_has_its_mayor_and_the_county_has_a_council_president(county):
    mayors = dict(Issuer.objects.filter(kind="primar").values_list("uat__siruta", "name"))
    assert len(mayors) == 93
    assert (mayors[20297], mayors[20778], mayors[26083]) == (
        "Primarul municipiului Bacău", "Primarul orașului Buhuși", "Primarul comunei Valea Seacă")
    cj = Issuer.objects.get(kind="presedinte_cj")
    assert (cj.uat, cj.county) == (None, "Bacău")


def test_towns_have_an_urbanism_department_and_the_communes_are_seeded_without(county):
    with_department = dict(UAT.objects.values_list("has_urbanism_department").annotate(n=Count("id")))
    assert with_department == {True: 8, False: 85}


def test_demo_parcels_lie_inside_the_real_boundaries_and_are_marked_synthetic(county):
    counts = dict(Parcel.objects.values_list("uat__siruta").annotate(n=Count("id")))
    assert counts == {20297: 3_100, 20778: 1_000, 26083: 900}
    assert not Parcel.objects.filter(synthetic=False).exists()
    assert scalar("SELECT count(*) FROM parcels_parcel p JOIN parcels_uat u ON u.id = p.uat_id"
                  " WHERE NOT ST_CoveredBy(p.geom, u.boundary)") == 0


def test_real_layers_carry_their_attribution_and_synthetic_ones_say_so(county):
    layers = {layer.slug: layer for layer in Layer.objects.filter(slug__in=[s.slug for s in LAYERS])}
    assert not layers["demo-uat"].synthetic and "ANCPI" in layers["demo-uat"].attribution
    assert "SIRUTA" in layers["demo-uat"].attribution
    assert not layers["demo-lmi"].synthetic and "CC BY-SA" in layers["demo-lmi"].attribution
    assert "2828/2015" in layers["demo-lmi"].attribution
    for slug in ("demo-intravilan", "demo-utr", "demo-rivers", "demo-flood", "demo-lmi-zones"):
        assert layers[slug].synthetic and "sintetice" in layers[slug].attribution


def test_the_located_monuments_are_the_real_points(county):
    monuments = {f.source_id: f for f in Feature.objects.filter(version__layer__slug="demo-lmi", version__is_current=True)}
    assert len(monuments) == 12
    precista = monuments["BC-II-m-A-00757.01"]
    assert precista.geom.geom_type == "Point" and precista.attrs["lon_lat"] == [26.9163, 46.5631]
    back = precista.geom.transform(4326, clone=True)
    assert (round(back.x, 6), round(back.y, 6)) == (26.9163, 46.5631)
    assert {m.attrs["siruta"] for m in monuments.values()} >= {20297, 20778, 26083, 23644}


def test_the_default_county_has_5000_parcels_and_buildings_on_most_intravilan_parcels(county):
    assert Parcel.objects.count() == 5_000 == county.parcels
    built = Parcel.objects.filter(use_category="CC", buildings__cadastral_id="C1").count()
    assert built / Parcel.objects.filter(use_category="CC").count() > 0.7
    assert Building.objects.filter(cadastral_id="C2").count() > 500
    assert Building.objects.count() == county.buildings


def test_every_parcel_is_a_valid_multipolygon_inside_its_uat(county):
    assert scalar("SELECT count(*) FROM parcels_parcel p JOIN parcels_uat u ON u.id = p.uat_id"
                  " WHERE NOT ST_IsValid(p.geom) OR ST_IsEmpty(p.geom) OR NOT ST_CoveredBy(p.geom, u.boundary)") == 0
    assert scalar("SELECT count(DISTINCT GeometryType(geom)) FROM parcels_parcel") == 1


def test_no_two_parcels_overlap(county):
    assert scalar("SELECT count(*) FROM parcels_parcel a JOIN parcels_parcel b ON a.id < b.id"
                  " AND ST_Intersects(a.geom, b.geom) WHERE ST_Area(ST_Intersection(a.geom, b.geom)) > 0.01") == 0


def test_cadastral_numbers_are_six_digits_unique_per_uat_and_equal_the_cf_number(county):
    assert not Parcel.objects.exclude(cadastral_number__regex=r"^[1-9][0-9]{5}$").exists()
    assert scalar("SELECT count(*) FROM parcels_parcel WHERE cf_number <> cadastral_number") == 0
    assert scalar("SELECT count(*) - count(DISTINCT (uat_id, cadastral_number)) FROM parcels_parcel") == 0


def test_intravilan_parcels_are_cc_with_street_addresses_and_fields_are_agricultural(county):
    intra = ("EXISTS (SELECT 1 FROM layers_feature f JOIN layers_layerversion v ON v.id = f.version_id AND v.is_current"
             " JOIN layers_layer l ON l.id = v.layer_id AND l.theme = 'intravilan_limit' WHERE ST_Within(p.geom, f.geom))")
    cats_in = {r for (r,) in _rows(f"SELECT DISTINCT use_category FROM parcels_parcel p WHERE {intra}")}
    cats_out = {r for (r,) in _rows(f"SELECT DISTINCT use_category FROM parcels_parcel p WHERE NOT {intra}")}
    assert cats_in == {"CC"}
    assert cats_out <= {"A", "P", "F", "L", "V"} and "A" in cats_out
    sample = Parcel.objects.filter(use_category="CC").order_by("cadastral_number").first()
    assert sample.address.split(" nr. ")[0].split(" ")[0] in ("Strada", "Aleea", "Intrarea", "Calea")
    assert Parcel.objects.filter(use_category="A").first().address.startswith("Extravilan, tarla ")


def _rows(sql: str):
    with connection.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def test_measured_area_is_the_geometry_area_and_legal_area_differs_only_a_little(county):
    assert scalar("SELECT max(abs(measured_area_m2 - ST_Area(geom))) FROM parcels_parcel") < 0.01
    assert scalar("SELECT max(abs(legal_area_m2 / measured_area_m2 - 1)) FROM parcels_parcel") < 0.1
    assert scalar("SELECT count(*) FROM parcels_parcel WHERE legal_area_m2 <> round(measured_area_m2)") > 1_000


def test_buildings_lie_inside_their_parcels_with_plausible_heights(county):
    assert scalar("SELECT count(*) FROM parcels_building b JOIN parcels_parcel p ON p.id = b.parcel_id"
                  " WHERE NOT ST_CoveredBy(b.footprint, p.geom)") == 0
    assert scalar("SELECT max(abs(built_area_m2 - ST_Area(footprint))) FROM parcels_building") < 0.01
    assert scalar("SELECT count(*) FROM parcels_building WHERE height_m < 2 * levels OR height_m > 6.5 * levels + 3") == 0


@pytest.mark.parametrize("spec", LAYERS, ids=lambda s: s.theme)
def test_each_theme_has_one_current_published_version_covering_the_county(county, spec):
    layer = Layer.objects.get(slug=spec.slug)
    assert (layer.theme, layer.kind) == (spec.theme, spec.kind)
    version = LayerVersion.objects.get(layer=layer, is_current=True)
    county_area = scalar("SELECT ST_Area(ST_Union(boundary)) FROM parcels_uat")
    assert version.coverage.area == pytest.approx(county_area, rel=1e-6)
    if spec.kind == "raster":
        with rasterio.open(version.raster_file.path) as ds:
            assert ds.crs.to_epsg() == 3844
            assert ds.nodata == version.raster_meta["nodata"]
            assert version.raster_meta["theme"] == spec.theme
            band = ds.read(1, masked=True)
            assert band.count() > 1_000
        return
    assert version.feature_count == Feature.objects.filter(version=version).count() > 0
    assert FeaturePart.objects.filter(version=version).count() >= version.feature_count


def test_dem_is_plausible_for_bacau_and_flood_depth_is_zero_outside_the_flood_zone(county):
    dem = LayerVersion.objects.get(layer__theme="dem", is_current=True)
    with rasterio.open(dem.raster_file.path) as ds:
        band = ds.read(1, masked=True)
        assert 100 < band.min() < band.max() < 400
    depth = LayerVersion.objects.get(layer__theme="flood_depth", is_current=True)
    with rasterio.open(depth.raster_file.path) as ds:
        band = ds.read(1, masked=True)
        assert band.min() == 0 and 1.5 < band.max() <= 2.5


def test_feature_attributes_carry_what_the_rules_need(county):
    def attrs(theme):
        return [f.attrs for f in Feature.objects.filter(version__layer__theme=theme, version__is_current=True)]

    assert {a["width_class"] for a in attrs("river_albia_minora")} == {"<10", "10-50", ">50"}
    assert {a["group"] for a in attrs("lmi_monument")} == {"A", "B"}
    assert all(a["lmi_code"].startswith("BC-") for a in attrs("lmi_monument"))
    assert {a["siruta"] for a in attrs("uat_boundary")} == {u.siruta for u in bacau.uats()}
    assert [a["voltage_kv"] for a in attrs("power_line_110kV")] == [110]
    assert [a["voltage_kv"] for a in attrs("power_line_20kV")] == [20]
    assert [a["site_code"] for a in attrs("natura2000_site")] == ["ROSPA0063"]
    assert len(attrs("monument_protection_zone")) == 1 < len(attrs("lmi_monument"))


def test_zoning_units_match_the_utr_polygons_of_each_uat(county):
    units = set(ZoningUnit.objects.values_list("uat__siruta", "code"))
    drawn = {(f.attrs["siruta"], f.attrs["utr_code"])
             for f in Feature.objects.filter(version__layer__theme="utr_polygon", version__is_current=True)}
    assert units == drawn
    assert {(20297, "M2"), (20297, "L1a"), (20297, "ID"), (20297, "V"), (26083, "IS")} <= units
    l1a = ZoningUnit.objects.get(uat__siruta=20297, code="L1a")
    assert (l1a.pot_max, l1a.cut_max, l1a.height_max_m, l1a.levels_max) == (35.0, 1.0, 10.0, "P+1E+M")
    assert l1a.plan.startswith("PUG municipiul Bacău")
    assert ZoningUnit.objects.get(uat__siruta=20297, code="M2").pot_max == 60.0


def test_utr_polygons_cover_each_intravilan_without_overlapping(county):
    for siruta in (20297, 20778, 26083):
        union_area, sum_area = _rows(
            "SELECT ST_Area(ST_Union(f.geom)), sum(ST_Area(f.geom)) FROM layers_feature f JOIN layers_layerversion v"
            " ON v.id = f.version_id AND v.is_current JOIN layers_layer l ON l.id = v.layer_id"
            f" AND l.theme = 'utr_polygon' WHERE (f.attrs->>'siruta')::int = {siruta}")[0]
        assert sum_area == pytest.approx(union_area, rel=1e-6)
        intravilan = scalar("SELECT ST_Area(f.geom) FROM layers_feature f JOIN layers_layerversion v"
                            " ON v.id = f.version_id AND v.is_current JOIN layers_layer l ON l.id = v.layer_id"
                            f" AND l.theme = 'intravilan_limit' WHERE (f.attrs->>'siruta')::int = {siruta}")
        assert 0.95 < union_area / intravilan <= 1.0
