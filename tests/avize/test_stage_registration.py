"""avize sits above permits and gives permits' state machine its avize stage in AvizeConfig.ready()
(permits/avize_hook.py); without it an application that needs avize fails loudly, never silently."""
from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from avize.selectors import avize_status_for
from avize.services import aviz_requests_create_for
from permits import avize_hook
from permits.models import Application


def test_the_avize_app_registers_its_stage_with_permits():
    stage = avize_hook.registered()
    assert stage.status_for is avize_status_for
    assert stage.requests_create_for is aviz_requests_create_for


def test_without_a_registered_stage_an_application_needing_avize_is_a_configuration_error(monkeypatch):
    monkeypatch.setattr(avize_hook, "_stage", None)
    needing = Application(analysis_result={"required_avize": [{"institution": {"id": 1, "code": "DJC"}}]})
    with pytest.raises(ImproperlyConfigured, match="INSTALLED_APPS"):
        avize_hook.avize_state(needing)
    with pytest.raises(ImproperlyConfigured):
        avize_hook.request_avize(application=needing, by=None)
    state = avize_hook.avize_state(Application(analysis_result={"required_avize": []}))
    assert (state.resolved, state.favourable) == (True, True)
