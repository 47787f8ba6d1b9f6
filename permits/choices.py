"""Choices of the permits app: kinds, statuses, purposes (F.1), document types, registers."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop

# Labels are Romanian source strings marked for extraction only (gettext_noop): stored values, PDFs and e-mails keep
# them as they are; the web pages show them through gettext (web.labels).


class Kind(models.TextChoices):
    CU = "cu", gettext_noop("Certificat de urbanism")
    CU_EXTENSION = "cu_extension", gettext_noop("Prelungire certificat de urbanism")
    AC = "ac", gettext_noop("Autorizație de construire")
    AC_EXTENSION = "ac_extension", gettext_noop("Prelungire autorizație de construire")
    AD = "ad", gettext_noop("Autorizație de desființare")
    ADDRESS_CERT = "address_certificate", gettext_noop("Certificat de nomenclatură stradală și adresă")
    EXCAVATION = "excavation", gettext_noop("Autorizație de săpătură în domeniul public")


CU_KINDS = (Kind.CU, Kind.CU_EXTENSION)
PERMIT_KINDS = (Kind.AC, Kind.AD)  # the building permits (based on a CU, zoning compliance)
AVIZE_KINDS = (*PERMIT_KINDS, Kind.EXCAVATION)  # the kinds that pass through the avize stage
# An AC/AD is based on a CU; an extension on the act it extends.
NEEDS_CU = (Kind.AC, Kind.AD)
# Checked against the street register (addresses): no works, no analysis, no avize.
ADDRESS_KINDS = (Kind.ADDRESS_CERT,)
# The extension (prelungire) of an issued CU or AC/AD: a request on the act, no new analysis, no new avize.
EXTENSION_KINDS = (Kind.CU_EXTENSION, Kind.AC_EXTENSION)
# The standard request form of Ord. MDRL 839/2009 Annex 1 each kind is asked on (DocType.CERERE).
REQUEST_FORMS: dict[str, str] = {Kind.CU: "F.1", Kind.CU_EXTENSION: "F.7", Kind.AC: "F.8", Kind.AD: "F.8",
                                 Kind.AC_EXTENSION: "F.12"}


class Register(models.TextChoices):
    """Numbering registers per issuer and year: incoming requests, then one per issued act type."""

    REQUESTS = "requests", gettext_noop("Registratură (cereri)")
    CU = "cu", gettext_noop("Registrul certificatelor de urbanism")
    AC_AD = "ac_ad", gettext_noop("Registrul autorizațiilor de construire/desființare")
    ADDRESS = "address", gettext_noop("Registrul certificatelor de nomenclatură stradală și adresă")
    EXCAVATION = "excavation", gettext_noop("Registrul autorizațiilor de săpătură")


def issue_register(kind: str) -> str:
    if kind in ADDRESS_KINDS:
        return Register.ADDRESS
    if kind == Kind.EXCAVATION:
        return Register.EXCAVATION
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
    # After an AC/AD is issued: the start and end of works announced by the holder, then the reception.
    WORKS_STARTED = "works_started", "Lucrări în execuție"
    WORKS_ENDED = "works_ended", "Lucrări terminate"
    CLOSED = "closed", "Închisă (recepționată)"


TERMINAL = (Status.ISSUED, Status.REFUSED, Status.WITHDRAWN, Status.EXPIRED, Status.WORKS_STARTED, Status.CLOSED)
# The life of an issued AC/AD on site (permits.works): no legal deadline of the request runs any more.
WORKS_STATUSES = (Status.WORKS_STARTED, Status.WORKS_ENDED, Status.CLOSED)
# An excavation permit authorised and not yet closed: on the public layer and register, and checked by "dig once".
EXCAVATION_LIVE = (Status.ISSUED, Status.WORKS_STARTED, Status.WORKS_ENDED)


class Purpose(models.TextChoices):
    """Scopul certificatului de urbanism (F.1, Norme art. 30)."""

    CONSTRUIRE = "construire", gettext_noop("Autorizarea executării lucrărilor de construire")
    DESFIINTARE = "desfiintare", gettext_noop("Autorizarea executării lucrărilor de desființare")
    CONCESIONARE = "concesionare", gettext_noop("Concesionare de terenuri")
    PROIECTARE_SF = "proiectare_sf", gettext_noop("Licitația pentru proiectarea lucrărilor publice (faza SF)")
    ACTIUNI_JUSTITIE = "actiuni_justitie", gettext_noop("Cereri în justiție")
    DEZMEMBRARE = "dezmembrare", gettext_noop("Operațiuni notariale: dezmembrare / lotizare")
    ALIPIRE = "alipire", gettext_noop("Operațiuni notariale: alipire / dezlipire")
    SERVITUTE = "servitute", gettext_noop("Operațiuni notariale: servitute de trecere")
    VANZARE = "vanzare", gettext_noop("Operațiuni notariale: vânzare teren pentru construcții")
    ALTE = "alte", gettext_noop("Alte scopuri")
    INFORMARE = "informare", gettext_noop("Informare (fără autorizare de lucrări)")


class AddressPurpose(models.TextChoices):
    """What an address certificate is asked for (stored in `Application.purpose` like the CU's purpose)."""

    LAND_BOOK = "addr_land_book", gettext_noop("Înscriere în cartea funciară")
    NOTARIAL = "addr_notarial", gettext_noop("Acte notariale (vânzare, donație, succesiune)")
    UTILITIES = "addr_utilities", gettext_noop("Racordare la utilități")
    RESIDENCE = "addr_residence", gettext_noop("Stabilirea domiciliului sau a sediului")
    OTHER = "addr_other", gettext_noop("Alte scopuri")


# Application.purpose: a CU's purpose or an address certificate's (one field, one enum in the API schema).
APPLICATION_PURPOSES = Purpose.choices + AddressPurpose.choices


class Destination(models.TextChoices):
    """Destination / function of the works (F.1); the values are rules.choices.WORKS_KINDS."""

    HOUSE = "house", gettext_noop("Locuință unifamilială")
    COLLECTIVE_HOUSING = "collective_housing", gettext_noop("Locuințe colective")
    ANNEX = "annex", gettext_noop("Anexă gospodărească (fără animale)")
    FENCE = "fence", gettext_noop("Împrejmuire")
    COMMERCIAL = "commercial", gettext_noop("Comerț / servicii")
    INDUSTRIAL = "industrial", gettext_noop("Industrie / depozitare")
    PUBLIC_BUILDING = "public_building", gettext_noop("Clădire publică (învățământ, sănătate, cultură)")
    LIVESTOCK_FARM = "livestock_farm", gettext_noop("Fermă zootehnică / anexă pentru animale")
    FUEL_STATION = "fuel_station", gettext_noop("Stație de carburanți")
    FUEL_DEPOT = "fuel_depot", gettext_noop("Depozit de carburanți (peste 100 m³)")
    PV_PARK = "pv_park", gettext_noop("Parc fotovoltaic")
    WIND_TURBINE = "wind_turbine", gettext_noop("Turbină eoliană")
    NETWORK = "network", gettext_noop("Rețea edilitară")
    ROAD_ACCESS = "road_access", gettext_noop("Acces rutier")
    OTHER = "other", gettext_noop("Altă destinație")


class Connection(models.TextChoices):
    """Connections to urban utilities the works need (F.6 d.1); the values are rules.choices.CONNECTIONS."""

    WATER = "water", gettext_noop("Alimentare cu apă")
    SEWERAGE = "sewerage", gettext_noop("Canalizare")
    ELECTRICITY = "electricity", gettext_noop("Energie electrică")
    HEATING = "heating", gettext_noop("Energie termică (termoficare)")
    GAS = "gas", gettext_noop("Gaze naturale")
    TELECOM = "telecom", gettext_noop("Telefonizare")
    SANITATION = "sanitation", gettext_noop("Salubritate")
    TRANSPORT = "transport", gettext_noop("Transport urban")


class RoadAccess(models.TextChoices):
    """The class of the road the lot is reached from; the values are rules.choices.ROAD_CLASSES."""

    STREET = "street", gettext_noop("Stradă / drum local")
    COMMUNAL = "communal", gettext_noop("Drum comunal")
    COUNTY = "county", gettext_noop("Drum județean")
    NATIONAL = "national", gettext_noop("Drum național")


class WorksKind(models.TextChoices):
    """Categories of works (F.1 box 2)."""

    BUILDING = "building", gettext_noop("Construcții noi")
    EXTENSION = "extension", gettext_noop("Extindere / supraetajare")
    RENOVATION = "renovation", gettext_noop("Modernizare / consolidare")
    DEMOLITION = "demolition", gettext_noop("Desființare")
    NETWORKS = "networks", gettext_noop("Rețele și branșamente")
    FENCE = "fence", gettext_noop("Împrejmuire")
    SITE_ORGANISATION = "site_organisation", gettext_noop("Organizare de șantier")
    TEMPORARY = "temporary", gettext_noop("Construcții provizorii (chioșcuri, panouri)")
    OTHER = "other", gettext_noop("Altele")


class ApplicantType(models.TextChoices):
    PERSON = "person", gettext_noop("Persoană fizică")
    COMPANY = "company", gettext_noop("Persoană juridică")


class DocType(models.TextChoices):
    CERERE = "cerere", gettext_noop("Cerere (F.1 / F.8)")
    EXTRAS_CF = "extras_cf", gettext_noop("Extras de carte funciară pentru informare")
    PLAN_INCADRARE = "plan_incadrare", gettext_noop("Plan de încadrare în zonă")
    PLAN_SITUATIE = "plan_situatie", gettext_noop("Plan de situație")
    DOVADA_PLATII = "dovada_platii", gettext_noop("Dovada plății taxei")
    CU = "cu", gettext_noop("Certificatul de urbanism")
    TITLU = "titlu", gettext_noop("Titlul asupra imobilului")
    DTAC = "dtac", gettext_noop("Documentația tehnică (D.T.A.C.)")
    DTAD = "dtad", gettext_noop("Documentația tehnică (D.T.A.D.)")
    AVIZ = "aviz", gettext_noop("Aviz / acord")
    FOTOGRAFII = "fotografii", gettext_noop("Fotografii ale construcției de desființat")
    ACT_IDENTITATE = "act_identitate", gettext_noop("Act de identitate")
    # Works after the AC/AD (permits.works): proof of the ISC quotas at the start, the reception report at the end.
    DOVADA_COTE_ISC = "dovada_cote_isc", gettext_noop("Dovada plății cotelor ISC")
    PV_RECEPTIE = "pv_receptie", gettext_noop("Proces-verbal de recepție la terminarea lucrărilor")
    ALTELE = "altele", gettext_noop("Altele")


# Mandatory documents per kind (Law 50 art. 7(1), Norme art. 31; municipal checklists).
REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    Kind.CU: (DocType.EXTRAS_CF, DocType.PLAN_INCADRARE, DocType.PLAN_SITUATIE, DocType.DOVADA_PLATII),
    Kind.CU_EXTENSION: (DocType.CERERE,),
    Kind.AC: (DocType.TITLU, DocType.EXTRAS_CF, DocType.DTAC, DocType.DOVADA_PLATII),
    Kind.AD: (DocType.TITLU, DocType.EXTRAS_CF, DocType.DTAD, DocType.FOTOGRAFII, DocType.DOVADA_PLATII),
    Kind.AC_EXTENSION: (DocType.CERERE,),
    Kind.ADDRESS_CERT: (DocType.TITLU,),
    Kind.EXCAVATION: (DocType.PLAN_SITUATIE,),
}
