"""Vocabularies shared by rules, the analysis API and the seed CSV."""
from __future__ import annotations

# Kinds of proposed works a rule can be conditioned on or triggered by (R22, R27, R30).
WORKS_KINDS = (
    "house", "collective_housing", "annex", "fence", "commercial", "industrial", "public_building",
    "demolition", "road_access", "network", "water_supply", "sewage", "wwtp", "river_crossing",
    "gravel_pit", "waste_deposit", "flood_defence", "wind_turbine", "pv_park", "power_plant",
    "transformer_station", "power_line", "magistral_pipeline", "fuel_depot", "fuel_station",
    "industrial_platform", "livestock_farm", "other",
)

# Effects the geometric engine evaluates; the others feed zoning, compliance and classification.
ENGINE_EFFECTS = ("requires_aviz", "forbids", "warns")

# Themes read outside the rule query.
ZONING_THEME = "utr_polygon"
INTRAVILAN_THEME = "intravilan_limit"
RASTER_THEMES = ("dem", "flood_depth")
PROTECTION_ZONE_THEMES = ("monument_protection_zone", "zcp")
# Street axes: the lot's street front, read for proposed works only (R35 frontage, street setback).
STREET_THEME = "street_axis"
