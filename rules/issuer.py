"""The competent issuer (emitent) of a CU / AC / AD for a site, Legea 50/1991 art. 4(1):

- the mayor of the UAT when the site lies in one UAT whose mayor has an arhitect-șef / urbanism
  department of his own (`UAT.has_urbanism_department`);
- the county council president, with the aviz of the mayors concerned, when the site crosses a UAT
  limit (art. 4(1)(a) pct. 1), when extravilan works lie in a commune without such a department
  (art. 4(1)(a) pct. 2), and when the UAT has no department at all (the county's department does
  the work for it: the rule this portal applies, marked as such in `legal_basis`).

The result is the `issuer` key of `Analysis.result`; `mayors_aviz` lists the mayors whose aviz the
county council president must have before issuing (empty when the mayor issues).
"""
from __future__ import annotations

from parcels.models import Issuer

SINGLE_UAT = "single_uat"
MULTI_UAT = "multi_uat"
MULTI_COUNTY = "multi_county"
EXTRAVILAN_NO_DEPARTMENT = "extravilan_no_department"
NO_DEPARTMENT = "no_department"

LEGAL_BASIS = {
    SINGLE_UAT: "Legea 50/1991 art. 4(1)",
    MULTI_UAT: "Legea 50/1991 art. 4(1)(a) pct. 1: lucrări pe terenuri care depășesc limita unei UAT, "
               "cu avizul primarilor",
    MULTI_COUNTY: "Legea 50/1991 art. 4(1)(a) pct. 1: lucrări pe terenuri care depășesc limita unei UAT "
                  "(mai multe județe: consiliul județean cu cea mai mare suprafață din amplasament), cu avizul primarilor",
    EXTRAVILAN_NO_DEPARTMENT: "Legea 50/1991 art. 4(1)(a) pct. 2: lucrări în extravilanul comunelor fără "
                              "compartiment de urbanism propriu, cu avizul primarului",
    NO_DEPARTMENT: "Legea 50/1991 art. 4: UAT fără arhitect-șef / compartiment de urbanism propriu; emite "
                   "consiliul județean, cu avizul primarului (regulă aplicată de portal, de confirmat juridic)",
}
MAYOR_AVIZ_BASIS = "Legea 50/1991 art. 4(1)(a): avizul primarului"


def competent_issuer(uats: list[dict], *, locality_class: str, known: dict | None = None) -> dict:
    """The issuer for a site in `uats` (largest overlap first, each with `urbanism_department`).

    `known` is the single UAT's mayor when it came with the parcels (one query fewer)."""
    main = uats[0]
    counties = [u["county"] for u in uats]
    if len(uats) > 1:
        basis = MULTI_UAT if len(set(counties)) == 1 else MULTI_COUNTY
    elif main.get("urbanism_department", True):
        basis = SINGLE_UAT
    else:
        basis = EXTRAVILAN_NO_DEPARTMENT if locality_class == "extravilan" else NO_DEPARTMENT
    if basis == SINGLE_UAT:
        issuer = known or _row(Issuer.objects.filter(uat_id=main["id"]).first())
        fallback, kind, mayors = f"Primarul {main['name']}", Issuer.Kind.PRIMAR, []
    else:
        # The county holding the largest share of the site: its council president issues.
        issuer = _row(Issuer.objects.filter(kind=Issuer.Kind.PRESEDINTE_CJ, county=main["county"]).order_by("id").first())
        fallback, kind = f"Președintele Consiliului Județean {main['county']}", Issuer.Kind.PRESEDINTE_CJ
        mayors = _mayors(uats)
    head = issuer or {"id": None, "name": fallback, "kind": kind.value}
    return {**head, "basis": basis, "legal_basis": LEGAL_BASIS[basis], "registered": issuer is not None,
            "mayors_aviz": mayors}


def _mayors(uats: list[dict]) -> list[dict]:
    """The aviz of the mayor of every UAT the site lies in, in the order of the UATs."""
    by_uat = {i.uat_id: i for i in Issuer.objects.filter(kind=Issuer.Kind.PRIMAR, uat_id__in=[u["id"] for u in uats])}
    return [{"uat_id": u["id"], "siruta": u["siruta"], "uat_name": u["name"],
             "issuer_id": by_uat[u["id"]].pk if u["id"] in by_uat else None,
             "name": by_uat[u["id"]].name if u["id"] in by_uat else f"Primarul {u['name']}",
             "legal_basis": MAYOR_AVIZ_BASIS} for u in uats]


def _row(issuer: Issuer | None) -> dict | None:
    return None if issuer is None else {"id": issuer.pk, "name": issuer.name, "kind": issuer.kind,
                                        "uat_id": issuer.uat_id}
