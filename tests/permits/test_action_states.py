"""The detail tells the UI, per allowed action, whether its guards pass now and why not."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _actions(client, pk) -> dict[str, dict]:
    body = client.get(f"/api/v1/applications/{pk}/").json()
    states = {a["action"]: a for a in body["actions"]}
    assert list(states) == body["allowed_actions"]  # the old field keeps its shape and order
    return states


def test_issue_is_shown_blocked_by_the_unpaid_fee_until_the_payment_is_recorded(submitted_cu, api, cast):
    _, pk = submitted_cu()
    carol = api(cast["carol"])
    assert carol.post(f"/api/v1/applications/{pk}/transitions/", {"action": "accept"},
                      format="json").status_code == 200
    assert "issue" not in _actions(carol, pk)  # the clerk prepares, the chief architect issues
    erin = api(cast["erin"])
    states = _actions(erin, pk)
    assert states["issue"] == {"action": "issue", "allowed": False,
                               "reasons": ["Taxa de 9.00 lei nu a fost plătită."], "reason_required": False}
    assert states["refuse"] == {"action": "refuse", "allowed": True, "reasons": [], "reason_required": True}
    assert states["return_for_completion"]["allowed"] is True
    carol.post(f"/api/v1/applications/{pk}/payments/", {"amount_ron": "9.00", "reference": "CH-9"}, format="json")
    assert _actions(erin, pk)["issue"] == {"action": "issue", "allowed": True, "reasons": [],
                                            "reason_required": False}


def test_a_second_return_for_completion_is_shown_blocked_with_its_reason(submitted_cu, api, cast):
    alice, pk = submitted_cu()
    carol, url = api(cast["carol"]), f"/api/v1/applications/{pk}/transitions/"
    assert carol.post(url, {"action": "return_for_completion", "reason": "Lipsește planul"},
                      format="json").status_code == 200
    assert set(_actions(alice, pk)) == {"resubmit", "withdraw"}
    assert alice.post(url, {"action": "resubmit"}, format="json").status_code == 200
    carol.post(url, {"action": "accept"}, format="json")
    state = _actions(carol, pk)["return_for_completion"]
    assert state["allowed"] is False and "returnată o dată" in state["reasons"][0]
    # The same reason the API gives when acting anyway.
    refused = carol.post(url, {"action": "return_for_completion", "reason": "din nou"}, format="json")
    assert refused.status_code == 400 and state["reasons"][0] in refused.json()["detail"]


def test_the_applicant_sees_only_their_own_actions_and_the_list_keeps_its_shape(submitted_cu, api, cast):
    alice, pk = submitted_cu()
    assert _actions(alice, pk) == {"withdraw": {"action": "withdraw", "allowed": True, "reasons": [],
                                                "reason_required": False}}
    row = alice.get("/api/v1/applications/").json()
    rows = row["results"] if isinstance(row, dict) else row
    assert rows[0]["allowed_actions"] == ["withdraw"] and "actions" not in rows[0]
