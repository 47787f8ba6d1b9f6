"""The indicator tables as CSV for Excel: UTF-8 with a byte-order mark, headers in the reader's language."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from indicators.selectors import InstitutionRow, WorkRow

Column = tuple[Callable[[], str], Callable[[Any], Any]]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _share(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def work_columns(per_clerk: bool) -> list[Column]:
    columns: list[Column] = [(lambda: _("Emitent / departament de urbanism"), lambda r: r.issuer)]
    if per_clerk:
        columns.append((lambda: _("Funcționar"), lambda r: r.clerk or _("Nerepartizate")))
    return columns + [
        (lambda: _("Primite"), lambda r: r.received),
        (lambda: _("Soluționate"), lambda r: r.resolved),
        (lambda: _("În lucru la sfârșitul perioadei"), lambda r: r.pending),
        (lambda: _("Mediana (zile lucrătoare)"), lambda r: _number(r.median_wd)),
        (lambda: _("Percentila 90 (zile lucrătoare)"), lambda r: _number(r.p90_wd)),
        (lambda: _("Soluționate în termenul legal (%)"), lambda r: _share(r.in_time_share)),
        (lambda: _("Returnate pentru completare"), lambda r: r.completions),
    ]


def institution_columns() -> list[Column]:
    return [
        (lambda: _("Instituție"), lambda r: r.institution),
        (lambda: _("Cereri de aviz primite"), lambda r: r.received),
        (lambda: _("Răspunsuri"), lambda r: r.answered),
        (lambda: _("Răspunsuri în termen"), lambda r: r.answered_in_time),
        (lambda: _("Aprobate tacit"), lambda r: r.tacit),
    ]


def to_csv(columns: Sequence[Column], rows: Sequence[WorkRow] | Sequence[InstitutionRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header() for header, _value in columns])
    for row in rows:
        writer.writerow([value(row) for _header, value in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
