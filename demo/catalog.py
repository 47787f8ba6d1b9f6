"""Fixed reference data of the demo county: the UATs that carry demo parcels, street names, the
monuments the showcase uses, zoning regimes.

The county itself is real (demo.bacau: the 93 UATs, their SIRUTA codes and boundaries, the SIRUTA
localities, the LMI 2015 monuments where a point is known). What is invented is marked here once, so
nobody mistakes demo data for an official register:
- parcels, buildings, intravilan limits, UTRs, streets, rivers, roads, networks, hazards and the
  Natura 2000 site drawn by the demo are SYNTHETIC (Parcel.synthetic, Layer.synthetic);
- the HCL numbers of the PUGs are INVENTED;
- whether a UAT has an arhitect-șef / urbanism department is a DEFAULT (municipii and orașe yes,
  comune no, except those listed in DEPARTMENT_COMMUNES), editable in the admin.
"""
from __future__ import annotations

from dataclasses import dataclass

COUNTY = "Bacău"
COUNTY_CODE = "BC"
# Centre of Bacău in Stereo 70 (EPSG:3844): lon 26.9146, lat 46.5670.
BACAU_E, BACAU_N = 646_868.0, 564_814.0


@dataclass(frozen=True)
class UatSpec:
    key: str
    siruta: int
    name: str
    kind: str  # parcels.UAT.Kind value
    share: float  # share of all demo parcels
    intra_share: float  # share of this UAT's parcels inside the intravilan
    cad_start: int  # first 6-digit cadastral number (eTerra numbers run per UAT)
    mayor: str
    plan: str
    anchor: tuple[float, float]  # (lon, lat) of the centre of the demo intravilan, inside the real UAT


# West to east. Anchors: in Bacău near the city centre, between the Precista church and the Bacovia
# house (both then stand in the intravilan at any size); the Buhuș manor in Buhuși (BC-II-a-B-00801); in
# Valea Seacă 200 m north of the necropolis (BC-I-s-B-00752), so the necropolis lies in the village
# and the fortified settlement (BC-I-s-B-00753) among the fields south of it.
UATS: tuple[UatSpec, ...] = (
    UatSpec("buhusi", 20778, "Buhuși", "oras", 0.20, 0.85, 500_001,
            "Primarul orașului Buhuși", "PUG orașul Buhuși, HCL nr. 87/2016 (date demo)", (26.6980, 46.7189)),
    UatSpec("valeaseaca", 26083, "Valea Seacă", "comuna", 0.18, 0.70, 300_001,
            "Primarul comunei Valea Seacă", "PUG comuna Valea Seacă, HCL nr. 24/2015 (date demo)", (27.0921, 46.2476)),
    UatSpec("bacau", 20297, "Bacău", "municipiu", 0.62, 0.90, 100_001,
            "Primarul municipiului Bacău", "PUG municipiul Bacău, HCL nr. 191/2019 (date demo)", (26.9125, 46.5665)),
)
CJ_ISSUER = "Președintele Consiliului Județean Bacău"
# Comune the demo gives an urbanism department of their own (a default, see above): none, so the
# demo commune with parcels (Valea Seacă) shows the county council president issuing.
DEPARTMENT_COMMUNES: frozenset[int] = frozenset()
MAYOR_TITLE = {"municipiu": "Primarul municipiului", "oras": "Primarul orașului", "comuna": "Primarul comunei"}

STREET_NAMES = (
    "Mărășești", "Ștefan cel Mare", "Nicolae Bălcescu", "Vasile Alecsandri", "George Bacovia",
    "Energiei", "Milcov", "Republicii", "Oituz", "Războieni", "9 Mai", "Mioriței", "Pictor Aman",
    "Dumbrava Roșie", "Cornișa Bistriței", "Tecuciului", "Bradului", "Gheorghe Doja", "Arcadie Șeptilici",
    "Ion Luca Caragiale", "Mihai Eminescu", "Libertății", "Garofiței", "Trandafirilor", "Salciei",
    "Plopilor", "Castanilor", "Teilor", "Morilor", "Fabricii", "Gării", "Viilor", "Prieteniei",
    "Independenței", "Unirii", "Victoriei", "Decebal", "Traian", "Alexandru cel Bun", "Petru Rareș",
    "Mihai Viteazu", "Cuza Vodă", "Spiru Haret", "Ion Creangă", "Mihail Sadoveanu", "Calistrat Hogaș",
    "Nicu Enea", "Letea", "Bistriței", "Siretului", "Trotușului", "Tazlăului", "Cireșoaia", "Pieptănari",
    "Nordului", "Lunca Bistriței", "Izvoare", "Frasinului", "Stejarului", "Zorilor", "Primăverii",
    "Aviatorilor", "Constructorilor", "Pacea", "Păcii", "Cantemir", "Vadul Bistriței", "Bucegi",
    "Carpați", "Ceahlău", "Ciprian Porumbescu", "George Enescu", "Octavian Goga", "Lucian Blaga",
)
STREET_PREFIXES = ("Strada", "Aleea", "Intrarea", "Calea")


@dataclass(frozen=True)
class MonumentSpec:
    """A real LMI monument the showcase relies on (its point comes from demo.bacau)."""

    key: str
    uat: str
    lmi_code: str
    zone: bool = False  # the demo draws a delimited protection zone around it (R5 instead of R2–R4)


MONUMENTS: tuple[MonumentSpec, ...] = (
    MonumentSpec("precista", "bacau", "BC-II-m-A-00757.01", zone=True),  # Biserica „Precista”
    MonumentSpec("bacovia", "bacau", "BC-IV-m-A-00930"),  # Casa memorială „George Bacovia”
    MonumentSpec("necropola", "valeaseaca", "BC-I-s-B-00752"),  # Necropola de la Valea Seacă
    MonumentSpec("asezare", "valeaseaca", "BC-I-s-B-00753"),  # Așezare fortificată, Dealul Titelca
)

# Zoning regimes (RLU extracts). Values are plausible for a Romanian PUG, not copied from one.
_L1A = dict(
    name="Zonă de locuințe individuale cu regim redus de înălțime",
    allowed_functions=["locuințe individuale", "locuințe semicolective (max. 2 unități)", "anexe gospodărești"],
    conditioned_functions=[
        {"function": "servicii de proximitate", "condition": "Adc max. 100 mp, la parterul locuinței"},
        {"function": "cabinete medicale", "condition": "fără paturi de spitalizare"},
    ],
    forbidden_functions=["activități industriale", "depozitare en-gros", "ferme zootehnice", "stații de carburanți"],
    pot_max=35.0, cut_max=1.0, height_max_m=10.0, levels_max="P+1E+M",
    setback_street_m=5.0, setback_side_m=2.0, setback_rear_m=5.0, min_lot_area_m2=250.0, min_frontage_m=12.0,
)
REGIMES: dict[str, dict] = {
    "L1a": _L1A,
    "M2": dict(
        name="Zonă mixtă centrală: locuințe colective, comerț, servicii",
        allowed_functions=["locuințe colective", "comerț", "servicii", "birouri", "alimentație publică"],
        conditioned_functions=[{"function": "activități productive mici", "condition": "nepoluante, fără trafic greu, "
                                                                                         "program până la ora 22:00"}],
        forbidden_functions=["activități industriale poluante", "depozite", "ferme", "panouri publicitare în curți"],
        pot_max=60.0, cut_max=2.4, height_max_m=18.0, levels_max="P+4E",
        setback_street_m=0.0, setback_side_m=3.0, setback_rear_m=6.0, min_lot_area_m2=400.0, min_frontage_m=15.0,
    ),
    "ID": dict(
        name="Zonă de unități industriale și depozite",
        allowed_functions=["unități de producție nepoluante", "depozite", "servicii tehnice", "parcaje"],
        conditioned_functions=[{"function": "showroom-uri", "condition": "max. 30 % din Adc"}],
        forbidden_functions=["locuințe", "creșe, grădinițe, școli", "spitale"],
        pot_max=70.0, cut_max=1.5, height_max_m=15.0, levels_max="P+2E",
        setback_street_m=6.0, setback_side_m=4.0, setback_rear_m=6.0, min_lot_area_m2=1000.0, min_frontage_m=25.0,
    ),
    "IS": dict(
        name="Zonă de instituții publice și servicii",
        allowed_functions=["administrație publică", "învățământ", "sănătate", "cult", "comerț"],
        conditioned_functions=[{"function": "locuințe de serviciu", "condition": "max. 20 % din Adc"}],
        forbidden_functions=["activități industriale", "depozite", "ferme zootehnice"],
        pot_max=50.0, cut_max=1.5, height_max_m=12.0, levels_max="P+2E",
        setback_street_m=3.0, setback_side_m=3.0, setback_rear_m=5.0, min_lot_area_m2=500.0, min_frontage_m=15.0,
    ),
    "V": dict(
        name="Spații verzi amenajate și fâșii de protecție a apelor",
        allowed_functions=["spații verzi", "alei pietonale", "mobilier urban", "locuri de joacă"],
        conditioned_functions=[{"function": "chioșcuri", "condition": "construcții provizorii, max. 20 mp"}],
        forbidden_functions=["construcții definitive, altele decât cele de agrement", "parcaje supraterane"],
        pot_max=10.0, cut_max=0.1, height_max_m=5.0, levels_max="P",
        setback_street_m=5.0, setback_side_m=5.0, setback_rear_m=5.0, min_lot_area_m2=None, min_frontage_m=None,
    ),
}

# Buildings by zone: (destination, levels choices, storey height, roof allowance).
BUILDING_KINDS = {
    "L1a": ("locuință individuală", (1, 2, 2, 3), 3.0, 2.5),
    "M2": ("bloc de locuințe cu spații comerciale", (4, 5, 5, 6), 3.0, 1.5),
    "ID": ("hală de producție", (1, 1, 2), 6.0, 1.0),
    "IS": ("clădire administrativă", (2, 2, 3), 3.5, 2.0),
    "V": ("pavilion", (1,), 3.0, 1.0),
}
