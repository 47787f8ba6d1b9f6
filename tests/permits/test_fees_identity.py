"""Fees (Codul fiscal art. 474) on worked examples, and the CNP / CUI check digits."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from permits.fees import fee_quote
from permits.identity import cnp_problem, cui_problem
from permits.models import FeeSchedule
from tests.permits.conftest import VALID_CNP, VALID_CUI


@pytest.mark.parametrize("area, urban, amount", [
    (120, True, "6.00"), (150, True, "6.00"), (151, True, "7.00"), (400, True, "9.00"), (700, True, "12.00"),
    (1000, True, "14.00"), (1500, True, "19.00"), (2345, True, "27.45"), (300, False, "4.50"), (1500, False, "9.50"),
])
def test_cu_fee_uses_the_upper_value_of_each_legal_band(area, urban, amount):
    assert fee_quote(kind="cu", urban=urban, area_m2=area).amount_ron == Decimal(amount)


def test_other_kinds_follow_their_percentages():
    assert fee_quote(kind="cu_extension", initial_fee_ron="19").amount_ron == Decimal("5.70")
    assert fee_quote(kind="ac", works_value_ron="250000", residential=True).amount_ron == Decimal("1250.00")
    assert fee_quote(kind="ac", works_value_ron="250000", residential=False).amount_ron == Decimal("2500.00")
    assert fee_quote(kind="ad", taxable_value_ron="80123.45").amount_ron == Decimal("80.12")
    assert fee_quote(kind="ac_extension").amount_ron == Decimal("0.00")


def test_a_missing_value_names_the_field():
    with pytest.raises(ValidationError) as exc:
        fee_quote(kind="ac", residential=True)
    assert "works_value_ron" in exc.value.message_dict


@pytest.mark.django_db
def test_a_council_schedule_replaces_the_defaults_for_its_uat(territory, api):
    FeeSchedule.objects.create(uat=territory["uat_a"], council_decision="HCL 12/2026",
                               cu_bands=[[150, 5], [250, 6], [500, 7], [750, 9], [1000, 12], [None, 12]])
    response = api().post("/api/v1/fees/quote/", {"kind": "cu", "uat": 20297, "area_m2": "1200"}, format="json")
    assert response.status_code == 200
    assert response.json()["amount_ron"] == "14.00"  # 12 + 0.01 × 200
    assert "art. 474" in response.json()["legal_basis"]
    rural = api().post("/api/v1/fees/quote/", {"kind": "cu", "uat": 22936, "area_m2": "400"}, format="json")
    assert rural.json()["amount_ron"] == "4.50"  # Hemeiuș has no schedule: upper value 9, halved


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [{"kind": "cu", "area_m2": "100"}, {"kind": "cu", "uat": 1, "area_m2": "1"},
                                     {"kind": "ac", "locality_class": "urban", "residential": True},
                                     {"kind": "ad", "taxable_value_ron": "-5"}, {"kind": "zz"}])
def test_the_fee_quote_rejects_incomplete_or_bad_input(api, territory, payload):
    assert api().post("/api/v1/fees/quote/", payload, format="json").status_code == 400


def test_cnp_check_digit_and_birth_date_are_verified():
    assert cnp_problem(VALID_CNP) is None
    assert "Cifra de control" in cnp_problem("1800101040010")
    assert "Data nașterii" in cnp_problem("2900229040021")  # 29 Feb 1990 did not exist
    assert cnp_problem("12345") is not None


def test_cui_check_digit_is_verified():
    assert cui_problem(VALID_CUI) is None and cui_problem("RO" + VALID_CUI) is None
    assert "Cifra de control" in cui_problem("14399841")


@pytest.mark.parametrize("code, problem", [
    (VALID_CNP, None),
    ("5000229040011", None),  # 29 February 2000 existed (a leap century)
    ("6121231040019", None),
    ("7030214520017", None),  # a resident foreigner: the century is not encoded
    ("1900229040011", "Data nașterii"),  # 29 February 1990 did not
    ("5301231040013", "Data nașterii"),  # born 31 December 2030: in the future
    ("1801301040015", "Data nașterii"),  # month 13
    ("1900101990010", "Codul de județ"),
    ("1800101040018", "Cifra de control"),
    ("0800101040017", "nu poate începe cu 0"),
    ("180010104001", "13 cifre"), ("18001010400a7", "13 cifre"),
])
def test_cnp_cases_from_python_stdnum_keep_their_messages(code, problem):
    result = cnp_problem(code)
    assert result is None if problem is None else problem in result


@pytest.mark.parametrize("code, problem", [
    ("14399840", None), ("RO14399840", None), (" ro 14399840 ", None), ("18547290", None),
    ("14399841", "Cifra de control"), ("RO", "între 2 și 10 cifre"), ("0143998", "între 2 și 10 cifre"),
    ("12345678901", "între 2 și 10 cifre"), ("14A99840", "între 2 și 10 cifre"),
])
def test_cui_cases_from_python_stdnum_keep_their_messages(code, problem):
    result = cui_problem(code)
    assert result is None if problem is None else problem in result
