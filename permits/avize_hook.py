"""The avize stage of the permits state machine, provided by the avize app (which sits above permits).

permits owns the one state machine of applications; the avize app owns aviz requests and their answers
and imports permits. So that permits never imports upwards (docs/architecture.md, "Layers"), the avize
app registers its stage here from `AvizeConfig.ready()`:

    permits.avize_hook.register(AvizeStage(status_for=..., requests_create_for=...))

- `status_for(application) -> dict` with keys `resolved` (bool: every request answered or tacitly
  approved), `favourable` (bool: none unfavourable), `conditions` (list of str, the roll-up printed on
  the AC/AD), optional `detail` and `to_request` (int: required institutions not asked yet on the
  current documents; 0 blocks `request_avize`, so it is not offered once every institution was asked);
- `requests_create_for(*, application, by)`: called inside the transaction of the `request_avize`
  transition (in_review → avize) to send one request per required institution.

When all requests are resolved, the avize app calls `permits.workflow.transition(action="avize_complete",
by=None)`; the guard re-checks `status_for`. An application that needs avize while no stage is
registered is a configuration error and fails loudly (ImproperlyConfigured), never silently.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class AvizeStage:
    status_for: Callable[[Any], dict]
    requests_create_for: Callable[..., object]


@dataclass
class AvizeState:
    resolved: bool
    favourable: bool
    conditions: list[str] = field(default_factory=list)
    detail: str = ""
    to_request: int = 0  # required institutions a request_avize would ask now


_stage: AvizeStage | None = None


def register(stage: AvizeStage) -> None:
    """Install the avize stage (called once, from `avize.apps.AvizeConfig.ready`)."""
    global _stage
    _stage = stage


def registered() -> AvizeStage:
    if _stage is None:
        raise ImproperlyConfigured("No avize stage is registered: the 'avize' app must be in INSTALLED_APPS "
                                   "(AvizeConfig.ready registers it with permits.avize_hook.register).")
    return _stage


def required_avize(application) -> list[dict]:
    return list((application.analysis_result or {}).get("required_avize") or [])


def avize_state(application) -> AvizeState:
    if not required_avize(application):
        return AvizeState(True, True, [], _("Analiza nu cere avize."))
    data = registered().status_for(application)
    return AvizeState(bool(data.get("resolved")), bool(data.get("favourable")),
                      [str(c) for c in data.get("conditions") or []], str(data.get("detail") or ""),
                      int(data.get("to_request") or 0))


def request_avize(*, application, by) -> None:
    registered().requests_create_for(application=application, by=by)
