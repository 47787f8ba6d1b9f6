"""The request map's overlay: the features that made an institution's aviz required are marked for its reviewer."""
from __future__ import annotations

from web.views.investor import trigger_features

RESULT = {
    "rule_hits": [
        {"rule": "R2", "feature_ids": [11, "12"]},
        {"rule": "R9", "feature_ids": [21]},
        {"rule": "R30", "feature_ids": [31]},
    ],
    "required_avize": [
        {"institution": {"code": "djc-bacau"}, "reasons": [{"rule": "R2"}]},
        {"institution": {"code": "electrica"}, "reasons": [{"rule": "R9"}, {"rule": "R30"}]},
    ],
}


def test_each_reviewer_sees_the_features_of_its_own_aviz_marked():
    assert trigger_features(RESULT, "djc-bacau") == {11, 12}
    assert trigger_features(RESULT, "electrica") == {21, 31}
    assert trigger_features(RESULT, "apele-romane") == set()
    assert trigger_features({}, "djc-bacau") == set()
