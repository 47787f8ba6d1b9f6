"""The column fast path (no normalisation needed) must never skip a value that needs stripping."""
from __future__ import annotations

import numpy as np
import pytest

from parcels.imports import _text_column


@pytest.mark.parametrize("values, expected", [
    (["101", "102", "103"], ["101", "102", "103"]),
    (["101", " 102", "103"], ["101", "102", "103"]),
    (["101", "102\t", "103"], ["101", "102", "103"]),
    ([" 101", "102", "103"], ["101", "102", "103"]),
    (["101", "102", "103\x1f"], ["101", "102", "103"]),
    (["101", "", "10 3"], ["101", "", "10 3"]),
    (["Bacău ", "ş"], ["Bacău", "ș"]),
])
def test_text_columns_are_stripped_wherever_the_blank_is(values, expected):
    assert _text_column(np.array(values, dtype=object)).tolist() == expected
