"""The demo county's street register (nomenclatura stradală), derived in SQL from what the demo already has.

Streets: one per feature of the current `demo-streets` layer (its code is the feature's source id, its axis
the feature's line, its locality the UAT's seat). Names: the feature's name, in force since 1950 by an
invented council decision. Building numbers: the intravilan parcels' addresses ("<street> nr. <n>, <town>"),
as points inside the parcels. History: in every UAT the street with the most numbers was called
"Strada 23 August" until 1 March 1990 (an invented but typical renaming of that year).
"""
from __future__ import annotations

from demo import writer

FORMER_NAME = "Strada 23 August"
RENAMED_ON = "1990-03-01"
RENAMING_DECISION = "HCL nr. 7/1990 (demo)"
NAMED_SINCE = "1950-01-01"


def street_register_clear(uat_ids: list[int]) -> None:
    writer.execute("DELETE FROM addresses_buildingnumber b USING addresses_street s WHERE b.street_id = s.id "
                   "AND s.uat_id = ANY(%s)", [uat_ids])
    writer.execute("DELETE FROM addresses_streetname n USING addresses_street s WHERE n.street_id = s.id "
                   "AND s.uat_id = ANY(%s)", [uat_ids])
    writer.execute("DELETE FROM addresses_street WHERE uat_id = ANY(%s)", [uat_ids])


def street_register_build(uat_ids: list[int]) -> None:
    writer.execute("""
        INSERT INTO addresses_street (uat_id, locality_id, code, axis)
        SELECT u.id, (SELECT l.id FROM parcels_locality l WHERE l.uat_id = u.id ORDER BY l.is_seat DESC, l.siruta
                      LIMIT 1), f.source_id, ST_Multi(f.geom)
        FROM layers_feature f
        JOIN layers_layerversion v ON v.id = f.version_id AND v.is_current
        JOIN layers_layer l ON l.id = v.layer_id AND l.slug = 'demo-streets'
        JOIN parcels_uat u ON u.siruta = (f.attrs->>'siruta')::int
        WHERE u.id = ANY(%s)
    """, [uat_ids])
    writer.execute("""
        INSERT INTO addresses_streetname (street_id, name, valid_from, valid_to, decision)
        SELECT s.id, f.name, %s::date, NULL, 'HCL nr. 1/1950 (demo)'
        FROM addresses_street s
        JOIN layers_feature f ON f.source_id = s.code
        JOIN layers_layerversion v ON v.id = f.version_id AND v.is_current
        JOIN layers_layer l ON l.id = v.layer_id AND l.slug = 'demo-streets'
        WHERE s.uat_id = ANY(%s)
    """, [NAMED_SINCE, uat_ids])
    writer.execute(r"""
        INSERT INTO addresses_buildingnumber (street_id, number, number_key, parcel_id, point, valid_from, decision,
                                              created_at)
        SELECT DISTINCT ON (s.id, m[2]) s.id, m[2], m[2], p.id, ST_PointOnSurface(p.geom), %s::date,
               'nomenclatura stradală (demo)', now()
        FROM parcels_parcel p
        CROSS JOIN LATERAL regexp_match(p.address, '^(.*) nr\. ([0-9]+), ') AS m
        JOIN addresses_street s ON s.uat_id = p.uat_id
        JOIN addresses_streetname n ON n.street_id = s.id AND n.valid_to IS NULL AND n.name = m[1]
        WHERE p.uat_id = ANY(%s) AND m IS NOT NULL
        ORDER BY s.id, m[2], p.id
    """, [NAMED_SINCE, uat_ids])
    # The renaming: the busiest street of each UAT had its former name until RENAMED_ON.
    writer.execute("""
        WITH busiest AS (
            SELECT DISTINCT ON (s.uat_id) s.id FROM addresses_street s
            JOIN addresses_buildingnumber b ON b.street_id = s.id
            WHERE s.uat_id = ANY(%s) GROUP BY s.uat_id, s.id ORDER BY s.uat_id, count(*) DESC, s.id
        ), moved AS (
            UPDATE addresses_streetname n SET valid_from = %s::date, decision = %s
            FROM busiest WHERE n.street_id = busiest.id RETURNING n.street_id
        )
        INSERT INTO addresses_streetname (street_id, name, valid_from, valid_to, decision)
        SELECT street_id, %s, %s::date, %s::date, 'HCL nr. 1/1950 (demo)' FROM moved
    """, [uat_ids, RENAMED_ON, RENAMING_DECISION, FORMER_NAME, NAMED_SINCE, RENAMED_ON])
