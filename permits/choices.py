"""Choices of the permits app: kinds, statuses, purposes (F.1), document types, registers."""
from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    CU = "cu", "Certificat de urbanism"
    CU_EXTENSION = "cu_extension", "Prelungire certificat de urbanism"
    AC = "ac", "Autorizație de construire"
    AC_EXTENSION = "ac_extension", "Prelungire autorizație de construire"
    AD = "ad", "Autorizație de desființare"


CU_KINDS = (Kind.CU, Kind.CU_EXTENSION)
PERMIT_KINDS = (Kind.AC, Kind.AD)  # the kinds that pass through the avize stage
# An AC/AD is based on a CU; an extension on the act it extends.
NEEDS_CU = (Kind.AC, Kind.AD)


class Register(models.TextChoices):
    """Numbering registers per issuer and year: incoming requests, then one per issued act type."""

    REQUESTS = "requests", "Registratură (cereri)"
    CU = "cu", "Registrul certificatelor de urbanism"
    AC_AD = "ac_ad", "Registrul autorizațiilor de construire/desființare"


def issue_register(kind: str) -> str:
    return Register.CU if kind in CU_KINDS else Register.AC_AD


class Status(models.TextChoices):
    DRAFT = "draft", "Ciornă"
    SUBMITTED = "submitted", "Înregistrată"
    IN_REVIEW = "in_review", "În analiză"
    RETURNED = "returned_for_completion", "Returnată pentru completare"
    RESUBMITTED = "resubmitted", "Completată"
    AVIZE = "avize", "În avizare"
    ISSUED = "issued", "Emisă"
    REFUSED = "refused", "Respinsă"
    WITHDRAWN = "withdrawn", "Retrasă"
    EXPIRED = "expired", "Expirată"


TERMINAL = (Status.ISSUED, Status.REFUSED, Status.WITHDRAWN, Status.EXPIRED)


class Purpose(models.TextChoices):
    """Scopul certificatului de urbanism (F.1, Norme art. 30)."""

    CONSTRUIRE = "construire", "Autorizarea executării lucrărilor de construire"
    DESFIINTARE = "desfiintare", "Autorizarea executării lucrărilor de desființare"
    CONCESIONARE = "concesionare", "Concesionare de terenuri"
    PROIECTARE_SF = "proiectare_sf", "Licitația pentru proiectarea lucrărilor publice (faza SF)"
    ACTIUNI_JUSTITIE = "actiuni_justitie", "Cereri în justiție"
    DEZMEMBRARE = "dezmembrare", "Operațiuni notariale: dezmembrare / lotizare"
    ALIPIRE = "alipire", "Operațiuni notariale: alipire / dezlipire"
    SERVITUTE = "servitute", "Operațiuni notariale: servitute de trecere"
    VANZARE = "vanzare", "Operațiuni notariale: vânzare teren pentru construcții"
    ALTE = "alte", "Alte scopuri"
    INFORMARE = "informare", "Informare (fără autorizare de lucrări)"


class Destination(models.TextChoices):
    """Destination / function of the works (F.1); the values are rules.choices.WORKS_KINDS."""

    HOUSE = "house", "Locuință unifamilială"
    COLLECTIVE_HOUSING = "collective_housing", "Locuințe colective"
    ANNEX = "annex", "Anexă gospodărească (fără animale)"
    FENCE = "fence", "Împrejmuire"
    COMMERCIAL = "commercial", "Comerț / servicii"
    INDUSTRIAL = "industrial", "Industrie / depozitare"
    PUBLIC_BUILDING = "public_building", "Clădire publică (învățământ, sănătate, cultură)"
    LIVESTOCK_FARM = "livestock_farm", "Fermă zootehnică / anexă pentru animale"
    FUEL_STATION = "fuel_station", "Stație de carburanți"
    FUEL_DEPOT = "fuel_depot", "Depozit de carburanți (peste 100 m³)"
    PV_PARK = "pv_park", "Parc fotovoltaic"
    WIND_TURBINE = "wind_turbine", "Turbină eoliană"
    NETWORK = "network", "Rețea edilitară"
    ROAD_ACCESS = "road_access", "Acces rutier"
    OTHER = "other", "Altă destinație"


class Connection(models.TextChoices):
    """Connections to urban utilities the works need (F.6 d.1); the values are rules.choices.CONNECTIONS."""

    WATER = "water", "Alimentare cu apă"
    SEWERAGE = "sewerage", "Canalizare"
    ELECTRICITY = "electricity", "Energie electrică"
    HEATING = "heating", "Energie termică (termoficare)"
    GAS = "gas", "Gaze naturale"
    TELECOM = "telecom", "Telefonizare"
    SANITATION = "sanitation", "Salubritate"
    TRANSPORT = "transport", "Transport urban"


class RoadAccess(models.TextChoices):
    """The class of the road the lot is reached from; the values are rules.choices.ROAD_CLASSES."""

    STREET = "street", "Stradă / drum local"
    COMMUNAL = "communal", "Drum comunal"
    COUNTY = "county", "Drum județean"
    NATIONAL = "national", "Drum național"


class WorksKind(models.TextChoices):
    """Categories of works (F.1 box 2)."""

    BUILDING = "building", "Construcții noi"
    EXTENSION = "extension", "Extindere / supraetajare"
    RENOVATION = "renovation", "Modernizare / consolidare"
    DEMOLITION = "demolition", "Desființare"
    NETWORKS = "networks", "Rețele și branșamente"
    FENCE = "fence", "Împrejmuire"
    SITE_ORGANISATION = "site_organisation", "Organizare de șantier"
    TEMPORARY = "temporary", "Construcții provizorii (chioșcuri, panouri)"
    OTHER = "other", "Altele"


class ApplicantType(models.TextChoices):
    PERSON = "person", "Persoană fizică"
    COMPANY = "company", "Persoană juridică"


class DocType(models.TextChoices):
    CERERE = "cerere", "Cerere (F.1 / F.8)"
    EXTRAS_CF = "extras_cf", "Extras de carte funciară pentru informare"
    PLAN_INCADRARE = "plan_incadrare", "Plan de încadrare în zonă"
    PLAN_SITUATIE = "plan_situatie", "Plan de situație"
    DOVADA_PLATII = "dovada_platii", "Dovada plății taxei"
    CU = "cu", "Certificatul de urbanism"
    TITLU = "titlu", "Titlul asupra imobilului"
    DTAC = "dtac", "Documentația tehnică (D.T.A.C.)"
    DTAD = "dtad", "Documentația tehnică (D.T.A.D.)"
    AVIZ = "aviz", "Aviz / acord"
    FOTOGRAFII = "fotografii", "Fotografii ale construcției de desființat"
    ACT_IDENTITATE = "act_identitate", "Act de identitate"
    ALTELE = "altele", "Altele"


# Mandatory documents per kind (Law 50 art. 7(1), Norme art. 31; municipal checklists).
REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    Kind.CU: (DocType.EXTRAS_CF, DocType.PLAN_INCADRARE, DocType.PLAN_SITUATIE, DocType.DOVADA_PLATII),
    Kind.CU_EXTENSION: (DocType.CERERE,),
    Kind.AC: (DocType.TITLU, DocType.EXTRAS_CF, DocType.DTAC, DocType.DOVADA_PLATII),
    Kind.AD: (DocType.TITLU, DocType.EXTRAS_CF, DocType.DTAD, DocType.FOTOGRAFII, DocType.DOVADA_PLATII),
    Kind.AC_EXTENSION: (DocType.CERERE,),
}
