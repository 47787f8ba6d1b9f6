"""Address keys: one key for the ways a clerk wrote an address (diacritics, street types, numbers)."""
from __future__ import annotations

import pytest

from archive.matching import address_key, cadastral_key
from archive.ocr import normalise


@pytest.mark.parametrize("address", [
    "Strada Mărășești nr. 3A, Bacău", "Str. Marasesti 3a", "Bacău, str. Mărăşeşti nr.3A", "STRADA MĂRĂȘEȘTI NR 3A",
])
def test_spellings_of_one_address_give_one_key(address):
    assert address_key(address) == ("marasesti", "3a")


def test_street_names_with_numbers_and_street_types():
    assert address_key("Strada 1 Decembrie 1918 nr. 5, Bacău") == ("1 decembrie 1918", "5")
    assert address_key("B-dul Unirii 12") == address_key("Bulevardul Unirii nr. 12, Bacău") == ("unirii", "12")
    assert address_key("Calea Moldovei 7") == ("moldovei", "7")
    assert address_key("Bacău") is None and address_key("") is None


def test_cadastral_numbers_and_cedilla_letters():
    assert cadastral_key(" 80 007 ") == "80007"
    assert normalise("Şoseaua  Ţiglei\tnr. 1") == "Șoseaua Țiglei nr. 1"
