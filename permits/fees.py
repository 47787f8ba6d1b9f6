"""Fees for CU / AC / AD (Codul fiscal, Legea 227/2015, art. 474) from a per-UAT schedule.

Until a local council sets its own values (permits.FeeSchedule), every band uses the upper value
of its legal range, so no applicant is ever quoted less than the council could ask.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

LEGAL_BASIS = "Legea 227/2015 (Codul fiscal), art. 474"
# The legal basis of each fee, whole, as stored in fee_breakdown (Romanian, like the acts that quote it) and
# marked for the catalogue: the pages show it through legal_basis_label() in their language.
CU_BASIS = {True: gettext_noop("Legea 227/2015 (Codul fiscal), art. 474 alin. (1)"),
            False: gettext_noop("Legea 227/2015 (Codul fiscal), art. 474 alin. (1) și (2)")}
CU_EXTENSION_BASIS = gettext_noop("Legea 227/2015 (Codul fiscal), art. 474 alin. (4)")
AC_BASIS = {True: gettext_noop("Legea 227/2015 (Codul fiscal), art. 474 alin. (5)"),
            False: gettext_noop("Legea 227/2015 (Codul fiscal), art. 474 alin. (6)")}
AD_BASIS = gettext_noop("Legea 227/2015 (Codul fiscal), art. 474 alin. (9)")
ADDRESS_BASIS = gettext_noop("Legea 227/2015 (Codul fiscal), art. 474 alin. (16)")
# (upper bound of the land area band in m², fee in lei); None = over 1,000 m².
DEFAULT_CU_BANDS: list[tuple[int | None, Decimal]] = [
    (150, Decimal("6")), (250, Decimal("7")), (500, Decimal("9")), (750, Decimal("12")),
    (1000, Decimal("14")), (None, Decimal("14")),
]
DEFAULT_CU_PER_M2_OVER_1000 = Decimal("0.01")
RURAL_FACTOR = Decimal("0.5")
CU_EXTENSION_FACTOR = Decimal("0.3")
AC_RESIDENTIAL_RATE = Decimal("0.005")
AC_OTHER_RATE = Decimal("0.01")
AD_RATE = Decimal("0.001")
CENT = Decimal("0.01")
# [U] art. 474 alin. (16): the council sets the address certificate's fee, up to this value.
DEFAULT_ADDRESS_CERTIFICATE = Decimal("9.00")


@dataclass
class Quote:
    amount_ron: Decimal
    breakdown: list[dict]
    legal_basis: str

    def as_dict(self) -> dict:
        return {"amount_ron": str(self.amount_ron), "breakdown": self.breakdown, "legal_basis": self.legal_basis}


def legal_basis_label(text: str | None) -> str:
    """A stored legal basis (Romanian) in the current language; one the catalogue does not know as written."""
    return _(text) if text else ""


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _positive(value, field: str) -> Decimal:
    if value is None or value == "":
        raise ValidationError({field: [_("Completați valoarea: taxa se calculează din ea.")]})
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({field: [_("Introduceți un număr.")]}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError({field: [_("Introduceți un număr mai mare sau egal cu 0.")]})
    if number > Decimal("1e13"):
        raise ValidationError({field: [_("Valoarea este prea mare.")]})
    return number


def _schedule(uat) -> tuple[list[tuple[int | None, Decimal]], Decimal, str]:
    row = getattr(uat, "fee_schedule", None) if uat is not None else None
    if row is None:
        return DEFAULT_CU_BANDS, DEFAULT_CU_PER_M2_OVER_1000, "valorile maxime legale (nicio HCL înregistrată)"
    bands = [(upper, Decimal(str(lei))) for upper, lei in row.cu_bands]
    return bands, Decimal(row.cu_per_m2_over_1000), f"HCL {row.council_decision}".strip()


def _cu_fee(area: Decimal, urban: bool, uat) -> Quote:
    bands, per_m2, source = _schedule(uat)
    lines = []
    for upper, lei in bands:
        if upper is None or area <= upper:
            if upper is None:
                extra = _money((area - 1000) * per_m2)
                amount = lei + extra
                lines.append({"item": f"suprafață peste 1.000 m²: {lei} lei + {per_m2} lei/m² × "
                                      f"{area - 1000} m²", "amount_ron": str(_money(amount))})
            else:
                amount = lei
                lines.append({"item": f"suprafață până la {upper} m²", "amount_ron": str(_money(amount))})
            break
    if not urban:
        amount = amount * RURAL_FACTOR
        lines.append({"item": "mediu rural: 50 % din taxa din mediul urban", "amount_ron": str(_money(amount))})
    lines.append({"item": f"sursa valorilor: {source}", "amount_ron": str(_money(amount))})
    return Quote(_money(amount), lines, CU_BASIS[bool(urban)])


def fee_quote(*, kind: str, urban: bool | None = None, uat=None, area_m2=None, works_value_ron=None,
              residential: bool | None = None, taxable_value_ron=None, initial_fee_ron=None,
              issued_on=None) -> Quote:
    """Compute the fee; raises ValidationError naming the missing or bad field."""
    if kind == "cu":
        if urban is None:
            raise ValidationError({"locality_class": ["Give uat or locality_class (urban, rural)."]})
        return _cu_fee(_positive(area_m2, "area_m2"), urban, uat)
    if kind == "cu_extension":
        initial = _positive(initial_fee_ron, "initial_fee_ron")
        amount = _money(initial * CU_EXTENSION_FACTOR)
        return Quote(amount, [{"item": f"30 % din taxa inițială de {initial} lei", "amount_ron": str(amount)}],
                     CU_EXTENSION_BASIS)
    if kind == "ac":
        value = _positive(works_value_ron, "works_value_ron")
        if residential is None:
            raise ValidationError({"residential": [_("Spuneți dacă lucrările sunt o locuință sau o anexă a ei.")]})
        rate = AC_RESIDENTIAL_RATE if residential else AC_OTHER_RATE
        amount = _money(value * rate)
        label = "locuință sau anexă: 0,5 %" if residential else "alte construcții: 1 %"
        return Quote(amount, [{"item": f"{label} din valoarea autorizată de {value} lei", "amount_ron": str(amount)}],
                     AC_BASIS[bool(residential)])
    if kind == "ad":
        value = _positive(taxable_value_ron, "taxable_value_ron")
        amount = _money(value * AD_RATE)
        return Quote(amount, [{"item": f"0,1 % din valoarea impozabilă de {value} lei", "amount_ron": str(amount)}],
                     AD_BASIS)
    if kind == "ac_extension":
        return _ac_extension_fee(issued_on=issued_on, initial_fee_ron=initial_fee_ron)
    if kind == "address_certificate":
        return _address_fee(uat)
    raise ValidationError({"kind": [f"Unknown kind {kind!r}."]})


def _address_fee(uat) -> Quote:
    row = getattr(uat, "fee_schedule", None) if uat is not None else None
    if row is None:
        amount, source = DEFAULT_ADDRESS_CERTIFICATE, "valoarea maximă legală (nicio HCL înregistrată)"
    else:
        amount, source = Decimal(row.address_certificate_ron), f"HCL {row.council_decision}".strip()
    amount = _money(amount)
    return Quote(amount, [{"item": f"certificat de nomenclatură stradală și adresă (sursa: {source})",
                           "amount_ron": str(amount)}], ADDRESS_BASIS)


def _ac_extension_fee(*, issued_on, initial_fee_ron) -> Quote:
    """Free since Law 176/2022; 30 % of the initial fee for an act issued before 13.06.2022."""
    from permits.extensions import regime_for

    regime = regime_for(issued_on)
    if not regime.fee_factor:
        return Quote(Decimal("0.00"), [{"item": "prelungire gratuită", "amount_ron": "0.00"}], regime.legal_basis)
    initial = _positive(initial_fee_ron, "initial_fee_ron")
    amount = _money(initial * regime.fee_factor)
    percent = (regime.fee_factor * 100).normalize()
    return Quote(amount, [{"item": f"{percent} % din taxa inițială de {initial} lei (act emis înainte de "
                                   f"{regime_for(None).issued_from:%d.%m.%Y})", "amount_ron": str(amount)}],
                 regime.legal_basis)


def application_fee(application) -> Quote:
    """The fee of an application from its own data (area of its parcels, declared values)."""
    uat = application.uat
    urban = uat.is_urban if uat is not None else None
    if application.kind == "excavation":
        from permits.excavations import fee_and_guarantee

        amount, breakdown, _guarantee = fee_and_guarantee(application)
        return Quote(amount, breakdown["breakdown"], breakdown["legal_basis"])
    if application.kind == "cu":
        area = sum((Decimal(str(p.measured_area_m2)) for p in application.parcels.all()), Decimal(0))
        return fee_quote(kind="cu", urban=urban, uat=uat, area_m2=area.quantize(Decimal("1")))
    if application.kind == "cu_extension":
        initial = application.based_on.fee_ron if application.based_on else None
        return fee_quote(kind="cu_extension", initial_fee_ron=initial)
    if application.kind == "address_certificate":
        return fee_quote(kind="address_certificate", uat=uat)
    if application.kind == "ac_extension":
        from permits.extensions import issued_on_of

        base = application.based_on
        return fee_quote(kind="ac_extension", issued_on=issued_on_of(base),
                         initial_fee_ron=base.fee_ron if base else None)
    return fee_quote(kind=application.kind, works_value_ron=application.works_value_ron,
                     residential=application.residential, taxable_value_ron=application.taxable_value_ron)


# ---- after the works (permits.works) ------------------------------------------------------------------
REGULARISATION_BASIS = gettext_noop("Legea 227/2015 (Codul fiscal), art. 474 alin. (5)–(6): regularizarea taxei pe "
                                    "valoarea reală a lucrărilor")
ISC_LAW_50_RATE = Decimal("0.001")  # Legea 50/1991 art. 40: 0,1 %
ISC_LAW_10_RATE = Decimal("0.005")  # Legea 10/1995 art. 40: 0,5 %, half of it paid at the start of works
ISC_BASIS = gettext_noop("Legea 50/1991 art. 40 (0,1 %); Legea 10/1995 art. 40 (0,5 %, jumătate la începerea "
                         "lucrărilor)")


@dataclass(frozen=True)
class Regularisation:
    """The AC fee recomputed on the declared final value of the works and the difference to the fee paid."""

    initial_fee_ron: Decimal
    final_value_ron: Decimal
    regularised_fee_ron: Decimal
    difference_ron: Decimal  # > 0: to pay; < 0: to refund; 0: nothing
    breakdown: list[dict]
    legal_basis: str

    @property
    def direction(self) -> str:
        return "pay" if self.difference_ron > 0 else "refund" if self.difference_ron < 0 else "none"

    def as_dict(self) -> dict:
        return {"initial_fee_ron": str(self.initial_fee_ron), "final_value_ron": str(self.final_value_ron),
                "regularised_fee_ron": str(self.regularised_fee_ron), "difference_ron": str(self.difference_ron),
                "direction": self.direction, "breakdown": self.breakdown, "legal_basis": self.legal_basis}


def regularisation(*, final_value_ron, residential: bool, initial_fee_ron) -> Regularisation:
    """The AC fee on the final value (the same art. 474 rate as at issue) minus the fee already paid."""
    initial = _positive(initial_fee_ron, "initial_fee_ron")
    final = _positive(final_value_ron, "final_value_ron")
    quote = fee_quote(kind="ac", works_value_ron=final, residential=residential)
    difference = quote.amount_ron - initial
    lines = [*quote.breakdown, {"item": f"taxa plătită la emitere: {initial} lei", "amount_ron": str(_money(-initial))},
             {"item": "diferență de plată" if difference > 0 else "diferență de restituit" if difference < 0
              else "nicio diferență", "amount_ron": str(difference)}]
    return Regularisation(initial, final, quote.amount_ron, difference, lines,
                          REGULARISATION_BASIS)


@dataclass(frozen=True)
class IscQuotas:
    """The quotas paid to the State Construction Inspectorate (not local fees) on the value of the works."""

    value_ron: Decimal
    law_50_ron: Decimal  # 0.1 %
    law_10_ron: Decimal  # 0.5 %
    at_start_ron: Decimal  # the whole 0.1 % and half of the 0.5 %
    at_end_ron: Decimal  # the other half of the 0.5 % (at the reception)
    legal_basis: str = ISC_BASIS

    @property
    def total_ron(self) -> Decimal:
        return self.law_50_ron + self.law_10_ron


def isc_quotas(value_ron) -> IscQuotas:
    value = _positive(value_ron, "works_value_ron")
    law_50, law_10 = _money(value * ISC_LAW_50_RATE), _money(value * ISC_LAW_10_RATE)
    half = _money(law_10 / 2)
    return IscQuotas(value, law_50, law_10, law_50 + half, law_10 - half)
