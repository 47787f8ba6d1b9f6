"""The column fast path (no normalisation needed) must never skip a value that needs stripping."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from parcels.imports import _text_column

CASES = [
    (["101", "102", "103"], ["101", "102", "103"]),
    (["101", " 102", "103"], ["101", "102", "103"]),
    (["101", "102\t", "103"], ["101", "102", "103"]),
    ([" 101", "102", "103"], ["101", "102", "103"]),
    (["101", "102", "103\x1f"], ["101", "102", "103"]),
    (["\x0b101", "102", "\x1c103"], ["101", "102", "103"]),
    (["101", "", "10 3"], ["101", "", "10 3"]),
    (["101", None, "103"], ["101", "", "103"]),
    (["Bacău ", "ş"], ["Bacău", "ș"]),
]


@pytest.mark.parametrize("values, expected", CASES)
@pytest.mark.parametrize("container", ["numpy", "arrow"])
def test_text_columns_are_stripped_wherever_the_blank_is(values, expected, container):
    column = np.array(values, dtype=object) if container == "numpy" else pa.array(values, type=pa.string())
    out = _text_column(column)
    assert out.type == pa.string()
    assert out.to_pylist() == expected


def test_a_clean_arrow_column_is_passed_through_not_copied():
    column = pa.array(["101", "102", "10 3"], type=pa.string())
    assert _text_column(column) is column


def test_numbers_become_their_text():
    assert _text_column(pa.array([20297, None, 7])).to_pylist() == ["20297", "", "7"]
