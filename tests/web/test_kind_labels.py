"""The labels a request's pages take from its kind, in Romanian and English: the request form named by the form of
Ord. MDRL 839/2009 the kind is asked on, and every legal basis of a fee in the page's language."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from permits import extensions, fees
from permits.choices import DocType, Kind
from permits.excavations import FEE_LEGAL_BASIS
from web import labels

FORMS = {Kind.CU: "F.1", Kind.CU_EXTENSION: "F.7", Kind.AC: "F.8", Kind.AD: "F.8", Kind.AC_EXTENSION: "F.12"}


@pytest.mark.parametrize("language,word", [("ro", "Cerere"), ("en", "Request form")])
@pytest.mark.parametrize("kind", list(FORMS))
def test_the_request_form_is_named_by_kind(kind, language, word):
    with translation.override(language):
        assert labels.doc_type_label(DocType.CERERE, kind) == f"{word} ({FORMS[kind]})"
        assert dict(labels.doc_type_choices(kind))[DocType.CERERE] == f"{word} ({FORMS[kind]})"


@pytest.mark.parametrize("kind", [Kind.ADDRESS_CERT, Kind.EXCAVATION, None])
def test_a_kind_without_a_form_keeps_the_generic_label(kind):
    with translation.override("en"):
        assert labels.doc_type_label(DocType.CERERE, kind) == "Request form (F.1 / F.8)"
        assert labels.doc_type_label(DocType.EXTRAS_CF, kind) == "Land register extract (for information)"


def _bases() -> list[str]:
    quotes = [fees.fee_quote(kind="cu", urban=True, area_m2=100), fees.fee_quote(kind="cu", urban=False, area_m2=100),
              fees.fee_quote(kind="cu_extension", initial_fee_ron=10),
              fees.fee_quote(kind="ac", works_value_ron=1000, residential=True),
              fees.fee_quote(kind="ac", works_value_ron=1000, residential=False),
              fees.fee_quote(kind="ad", taxable_value_ron=1000), fees.fee_quote(kind="address_certificate"),
              fees.fee_quote(kind="ac_extension", issued_on=date(2023, 1, 1)),
              fees.fee_quote(kind="ac_extension", issued_on=date(2020, 1, 1), initial_fee_ron=Decimal("100"))]
    return [q.legal_basis for q in quotes] + [r.legal_basis for r in extensions.REGIMES] + [
        fees.REGULARISATION_BASIS, fees.ISC_BASIS, FEE_LEGAL_BASIS]


@pytest.mark.parametrize("basis", _bases())
def test_every_legal_basis_of_a_fee_reads_in_english(basis):
    with translation.override("ro"):
        assert fees.legal_basis_label(basis) == basis  # stored and shown in Romanian as the acts quote it
    with translation.override("en"):
        english = fees.legal_basis_label(basis)
    assert english != basis and "Legea" not in english and "alin." not in english, english
