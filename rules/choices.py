"""Vocabularies shared by rules, the analysis API and the seed CSV."""
from __future__ import annotations

# Kinds of proposed works a rule can be conditioned on or triggered by (R22, R27, R30).
WORKS_KINDS = (
    "house", "collective_housing", "annex", "fence", "commercial", "industrial", "public_building",
    "demolition", "road_access", "network", "water_supply", "sewage", "wwtp", "river_crossing",
    "gravel_pit", "waste_deposit", "flood_defence", "wind_turbine", "pv_park", "power_plant",
    "transformer_station", "power_line", "magistral_pipeline", "fuel_depot", "fuel_station",
    "industrial_platform", "livestock_farm", "other", "excavation",
)
# Excavations in the public domain: the X-series rules (works_kinds "excavation") are their whole catalogue.
EXCAVATION_KIND = "excavation"
# The moratorium layer of rehabilitated streets (rules.excavation; attribute `rehabilitated_on`, ISO date).
STREET_REHAB_THEME = "street_rehabilitation"
# Yes/no facts of the declared works a works rule may require ({"flags": ["roadway_closed"]}).
WORKS_FLAGS = ("roadway_closed",)

# Effects the geometric engine evaluates; the others feed zoning, compliance and classification.
ENGINE_EFFECTS = ("requires_aviz", "forbids", "warns")

# Themes read outside the rule query.
ZONING_THEME = "utr_polygon"
INTRAVILAN_THEME = "intravilan_limit"
RASTER_THEMES = ("dem", "flood_depth")
PROTECTION_ZONE_THEMES = ("monument_protection_zone", "zcp")
# Street axes: the lot's street front, read for proposed works only (R35 frontage, street setback).
STREET_THEME = "street_axis"

# --- declared works (F.1): what the works rules are conditioned on ------------------------------

# Operations (F.1 box 2); the permits app's WorksKind has the same values.
WORKS_OPERATIONS = ("building", "extension", "renovation", "demolition", "networks", "fence",
                    "site_organisation", "temporary", "other")
# Connections to urban utilities the works need (F.6 d.1), in the form's order.
CONNECTIONS = ("water", "sewerage", "electricity", "heating", "gas", "telecom", "sanitation", "transport")
# The class of the road the lot's access is from (OG 43/1997).
ROAD_CLASSES = ("street", "communal", "county", "national")
# CU purposes for information only: the CU lists no avize (nothing will be authorised with it).
INFORMATION_PURPOSES = ("informare",)
# Numbers a works rule may compare: {"min": {name: value}} / {"max": …} / {"any_min": …}.
WORKS_NUMBERS = ("built_area_m2", "gross_floor_area_m2", "levels", "height_m", "occupants")

# The groups of F.6 (Ord. 839/2009) for "the AC request must be accompanied by", in print order.
F6_GROUPS = (
    ("c_documentation", "c) Documentația tehnică (D.T.)", "c) Technical documentation"),
    ("d1_utilities", "d.1) Avize și acorduri privind utilitățile urbane și infrastructura",
     "d.1) Avize and consents for urban utilities and infrastructure"),
    ("d2_fire_health", "d.2) Avize și acorduri privind securitatea la incendiu, protecția civilă, sănătatea populației",
     "d.2) Fire safety, civil protection and public health"),
    ("d3_specific", "d.3) Avize / acorduri specifice ale administrației publice centrale și/sau ale serviciilor "
                    "descentralizate ale acestora", "d.3) Specific avize of the central administration or its "
                                                      "deconcentrated services"),
    ("d4_studies", "d.4) Studii de specialitate", "d.4) Specialist studies"),
    ("e_environment", "e) Punctul de vedere / actul administrativ al autorității competente pentru protecția mediului",
     "e) Point of view / administrative act of the environmental authority"),
    ("f_fees", "f) Dovada privind achitarea taxelor legale", "f) Proof of payment of the legal fees"),
)
F6_GROUP_CODES = tuple(code for code, _, _ in F6_GROUPS)
# Where an aviz of a spatial rule goes on F.6, by the institution's kind.
F6_GROUP_OF_KIND = {
    "water_utility": "d1_utilities", "sewerage": "d1_utilities", "electricity": "d1_utilities",
    "electricity_transport": "d1_utilities", "gas": "d1_utilities", "heating": "d1_utilities",
    "telecom": "d1_utilities", "sanitation": "d1_utilities", "transport": "d1_utilities",
    "fire": "d2_fire_health", "health": "d2_fire_health", "environment": "e_environment",
}
