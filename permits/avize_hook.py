"""The seam between permits and the avize app (which owns aviz requests and their answers).

Contract for the avize app (optional module functions; permits works without them):
- `avize.services.aviz_requests_create_for(*, application, by)`: called inside the transaction of the
  `request_avize` transition (in_review → avize) to send one request per required institution.
- `avize.selectors.avize_status_for(application) -> dict` with keys
  `resolved` (bool: every request answered or tacitly approved), `favourable` (bool: none unfavourable),
  `conditions` (list of str, the roll-up of conditions printed on the AC/AD), optional `detail`.
- When all requests are resolved, the avize app calls
  `permits.workflow.transition(application=…, action="avize_complete", by=None)`; the guard re-checks
  `avize_status_for`. Without the avize app the avize stage stays pending (staff can still refuse).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field


@dataclass
class AvizeState:
    resolved: bool
    favourable: bool
    conditions: list[str] = field(default_factory=list)
    detail: str = ""


def _optional(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def required_avize(application) -> list[dict]:
    return list((application.analysis_result or {}).get("required_avize") or [])


def avize_state(application) -> AvizeState:
    if not required_avize(application):
        return AvizeState(True, True, [], "Analiza nu cere avize.")
    status_for = _optional("avize.selectors", "avize_status_for")
    if status_for is None:
        return AvizeState(False, False, [], "Avizele nu au fost încă obținute.")
    data = status_for(application)
    return AvizeState(bool(data.get("resolved")), bool(data.get("favourable")),
                      [str(c) for c in data.get("conditions") or []], str(data.get("detail") or ""))


def request_avize(*, application, by) -> None:
    create = _optional("avize.services", "aviz_requests_create_for")
    if create is not None:
        create(application=application, by=by)
