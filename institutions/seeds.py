"""The partner institutions (instituții avizatoare) of Bacău county, as seed data.

Names and kinds are the real institutions; e-mail addresses are placeholders on the reserved
`.example.ro` domain (never real addresses) and webhook secrets are generated on creation.
An institution with neither jurisdiction UATs nor area covers its whole county.
"""
from __future__ import annotations

OUG_31_2025 = ("OUG 31/2025 (aviz în 15 zile la faza de autorizare, 30 zile pentru PUG/PUZ; "
               "aprobare tacită la expirarea termenului)")
NO_TACIT = ("OUG 31/2025: instituțiile de apărare, ordine publică și securitate națională sunt exceptate "
            "de la aprobarea tacită")

# Synthetic operators (marked `synthetic`): the kinds a CU lists for connections (F.6 d.1), with
# invented names, to be replaced by each UAT's real operator. (code, kind, e-mail domain, the service
# operated, law)
_SYNTHETIC_OPERATOR_ROWS: list[tuple[str, str, str, str, str]] = [
    ("termoficare-bacau", "heating", "termoficare-bacau", "serviciului de alimentare centralizată cu energie termică",
     "Legea 325/2006 a serviciului public de alimentare cu energie termică"),
    ("telecom-bacau", "telecom", "telecom-bacau", "de rețele de comunicații electronice",
     "Legea 159/2016 privind infrastructura rețelelor de comunicații electronice"),
    ("salubritate-bacau", "sanitation", "salubritate-bacau", "serviciului de salubrizare",
     "Legea 101/2006 a serviciului de salubrizare a localităților"),
    ("transport-urban-bacau", "transport", "transport-bacau", "de transport public local",
     "Legea 92/2007 a serviciilor de transport public local"),
]
SYNTHETIC_OPERATORS: list[dict] = [
    {"code": code, "kind": kind, "synthetic": True, "name": f"Operatorul {service} (sintetic)",
     "email": f"avize@{domain}.example.ro",
     "address": "Bacău", "legal_basis": f"{law}; {OUG_31_2025}"}
    for code, kind, domain, service, law in _SYNTHETIC_OPERATOR_ROWS
]

BACAU_INSTITUTIONS: list[dict] = [
    {"code": "djc-bacau", "kind": "culture", "name": "Direcția Județeană pentru Cultură Bacău",
     "email": "avize@djc-bacau.example.ro", "address": "Bacău",
     "legal_basis": "Legea 422/2001 privind protejarea monumentelor istorice; Legea 5/2000 art. 10; " + OUG_31_2025},
    {"code": "apm-bacau", "kind": "environment", "name": "Agenția pentru Protecția Mediului Bacău",
     "email": "avize@apm-bacau.example.ro", "address": "Bacău",
     "legal_basis": "Legea 292/2018; OUG 57/2007 (Natura 2000); " + OUG_31_2025},
    {"code": "isu-bacau", "kind": "fire", "response_working_days": True,
     "name": "Inspectoratul pentru Situații de Urgență „Maior Constantin Ene” al județului Bacău",
     "email": "avize@isu-bacau.example.ro", "address": "Bacău",
     "legal_basis": "Legea 307/2006; HG 571/2016; aviz de securitate la incendiu în max. 15 zile lucrătoare "
                    "(autorizație 30 zile lucrătoare)"},
    {"code": "dsp-bacau", "kind": "health", "name": "Direcția de Sănătate Publică Bacău",
     "email": "avize@dsp-bacau.example.ro", "address": "Bacău",
     "legal_basis": "OMS 119/2014 (art. 11 înlocuit prin OMS 499/2026); Legea 193/2019; " + OUG_31_2025},
    {"code": "sga-bacau", "kind": "water",
     "name": "Administrația Bazinală de Apă Siret — Sistemul de Gospodărire a Apelor Bacău",
     "email": "avize@sga-bacau.example.ro", "address": "Bacău",
     "legal_basis": "Legea apelor 107/1996 art. 48 și Anexa 2; " + OUG_31_2025},
    {"code": "drdp-iasi", "kind": "roads_national",
     "name": "CNAIR — Direcția Regională de Drumuri și Poduri Iași",
     "email": "avize@drdp-iasi.example.ro", "address": "Iași",
     "legal_basis": "OG 43/1997 art. 46; OMT 1836/2018; RGU art. 18; " + OUG_31_2025},
    {"code": "cj-bacau-drumuri", "kind": "roads_local",
     "name": "Consiliul Județean Bacău — administrator drumuri județene",
     "email": "avize@drumuri.cjbacau.example.ro", "address": "Bacău",
     "legal_basis": "OG 43/1997 (drumuri județene); RGU art. 18; " + OUG_31_2025},
    # The streets of a UAT are administered by its city hall (OG 43/1997 art. 22): one per UAT, by SIRUTA.
    {"code": "primaria-bacau-drumuri", "kind": "roads_street", "jurisdiction_sirutas": [20297],
     "name": "Primăria Municipiului Bacău — administrarea domeniului public (străzi)",
     "email": "avize.sapaturi@primariabacau.example.ro", "address": "Bacău",
     "legal_basis": "OG 43/1997 art. 22 (străzile sunt administrate de consiliul local); " + OUG_31_2025},
    {"code": "ipj-bacau-rutiera", "kind": "police", "tacit_approval": False,
     "name": "Inspectoratul de Poliție Județean Bacău — Serviciul Rutier",
     "email": "avize@rutiera.ipj-bacau.example.ro", "address": "Bacău",
     "legal_basis": "OG 43/1997 art. 46 (avizul poliției rutiere); " + NO_TACIT},
    {"code": "cfr-iasi", "kind": "rail", "name": "CN CFR SA — Sucursala Regională CF Iași",
     "email": "avize@cfr-iasi.example.ro", "address": "Iași",
     "legal_basis": "OUG 12/1998 art. 29–32 (zona de siguranță și de protecție a infrastructurii feroviare); "
                    + OUG_31_2025},
    {"code": "delgaz-grid-bacau", "kind": "electricity",
     "name": "Delgaz Grid SA — distribuție energie electrică, județul Bacău",
     "email": "avize.energie@delgaz-bacau.example.ro", "address": "Bacău",
     "legal_basis": "Legea 123/2012; Ord. ANRE 239/2019 (aviz de amplasament); " + OUG_31_2025},
    {"code": "transelectrica-bacau", "kind": "electricity_transport",
     "name": "CNTEE Transelectrica SA — Sucursala de Transport Bacău",
     "email": "avize@transelectrica-bacau.example.ro", "address": "Bacău",
     "legal_basis": "Legea 123/2012; Ord. ANRE 239/2019 (LEA 220/400 kV); " + OUG_31_2025},
    {"code": "delgaz-grid-gaz", "kind": "gas", "name": "Delgaz Grid SA — distribuție gaze naturale",
     "email": "avize.gaz@delgaz-bacau.example.ro", "address": "Bacău",
     "legal_basis": "Legea 123/2012 art. 190; NTPEE 2018 (Ord. ANRE 89/2018); " + OUG_31_2025},
    {"code": "transgaz", "kind": "gas", "name": "SNTGN Transgaz SA — Exploatarea Teritorială Bacău",
     "email": "avize@transgaz-bacau.example.ro", "address": "Bacău",
     "legal_basis": "Legea 123/2012 art. 190 (conducte de transport gaze); " + OUG_31_2025},
    {"code": "crab-bacau", "kind": "water_utility", "also_kinds": ["sewerage"],
     "name": "Compania Regională de Apă Bacău SA (CRAB)",
     "email": "avize@crab.example.ro", "address": "Bacău",
     "legal_basis": "Legea 241/2006 a serviciului de alimentare cu apă și de canalizare; " + OUG_31_2025},
    *SYNTHETIC_OPERATORS,
    {"code": "aacr", "kind": "aviation", "name": "Autoritatea Aeronautică Civilă Română (AACR)",
     "email": "avize@aacr.example.ro", "address": "București", "county": "",
     "legal_basis": "RACR-AVZ 2/2020 (servituți aeronautice civile); " + OUG_31_2025},
    {"code": "mapn-smg", "kind": "defence", "tacit_approval": False,
     "name": "Ministerul Apărării Naționale — Statul Major al Apărării",
     "email": "avize@smap.example.ro", "address": "București", "county": "",
     "legal_basis": "HG 62/1996 (modificată prin HG 119/2015); Ordinul comun 34/N/1995; " + NO_TACIT},
    {"code": "anm", "kind": "meteo", "name": "Administrația Națională de Meteorologie",
     "email": "avize@anm.example.ro", "address": "București", "county": "",
     "legal_basis": "Decretul 230/1981 (zona de protecție a platformelor meteorologice); " + OUG_31_2025},
    {"code": "ocpi-bacau", "kind": "cadastre", "name": "Oficiul de Cadastru și Publicitate Imobiliară Bacău",
     "email": "avize@ocpi-bacau.example.ro", "address": "Bacău",
     "legal_basis": "Legea 7/1996 a cadastrului și a publicității imobiliare"},
    # Not an avizator: told of the start and end of works (permits.works) and collects the quotas.
    {"code": "isc-bacau", "kind": "isc", "name": "Inspectoratul Județean în Construcții Bacău (ISC)",
     "email": "comunicari@isc-bacau.example.ro", "address": "Bacău",
     "legal_basis": "Legea 50/1991 art. 7(8) și art. 40; Legea 10/1995 art. 40 (comunicarea începerii și "
                    "terminării lucrărilor, cotele ISC)"},
]
