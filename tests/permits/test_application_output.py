"""The application list and detail answer exactly what DRF's generic rendering of the declared
serializer fields gives (the fields are the OpenAPI schema; to_representation is written out by hand
for speed), for applications in every stage and for every role."""
from __future__ import annotations

import json

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from permits import workflow
from permits.api.serializers import (
    ActBrief,
    ActionStateOutput,
    ApplicationDetailOutput,
    ApplicationOutput,
    DocumentOutput,
)
from permits.models import Application
from permits.selectors import applications_visible_to
from tests.conftest import BACAU_E, BACAU_N

pytestmark = pytest.mark.django_db

FOOTPRINT = {"type": "Polygon", "coordinates": [[[26.91, 46.567], [26.911, 46.567], [26.911, 46.568],
                                                 [26.91, 46.568], [26.91, 46.567]]]}


def _json(data) -> str:
    return json.dumps(json.loads(JSONRenderer().render(data)))  # key order kept: compared as text


def _generic(serializer_class, instance, user) -> str:
    """DRF's own field-by-field rendering (ModelSerializer.to_representation) of the declared fields."""
    request = Request(APIRequestFactory().get("/"))
    request.user = user
    serializer = serializer_class(context={"request": request})
    return _json(serializers.ModelSerializer.to_representation(serializer, instance))


@pytest.fixture
def applications(cu_draft, submitted_cu, api, cast, parcel_factory, territory):
    """A draft with documents, footprint and decimals; an issued CU with its act; a submitted CU; one
    returned for completion; bob's CU on two parcels of another UAT; an AC draft based on the issued CU."""
    _, draft = cu_draft(footprint=FOOTPRINT, works_height_m="7.50", works_levels=2, works_gross_floor_area_m2="180.25",
                        works_value_ron="250000.00", applicant_email="a@example.ro", designer_name="Arh. X")
    carol = api(cast["carol"])
    _, issued = submitted_cu()
    transitions = f"/api/v1/applications/{issued}/transitions/"
    assert carol.post(transitions, {"action": "accept"}, format="json").status_code == 200
    assert carol.post(f"/api/v1/applications/{issued}/payments/", {"amount_ron": "9.00", "reference": "CH-1"},
                      format="json").status_code == 201
    assert api(cast["erin"]).post(transitions, {"action": "issue", "validity_months": 12}, format="json").status_code == 200
    submitted_cu()
    _, returned = submitted_cu()
    assert carol.post(f"/api/v1/applications/{returned}/transitions/",
                      {"action": "return_for_completion", "reason": "Lipsește planul."}, format="json").status_code == 200
    hemeius = [parcel_factory(uat=territory["uat_b"], e=BACAU_E - 4000 - 100 * i, n=BACAU_N) for i in range(2)]
    submitted_cu(cast["bob"], parcels=hemeius)
    cu_draft(kind="ac", based_on=issued, docs=False)
    assert Application.objects.get(pk=issued).act.number == 1
    return Application.objects.order_by("pk")


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "dave", "erin", "root"])
def test_list_and_detail_are_the_generic_rendering_of_the_declared_fields(applications, api, cast, who):
    user = cast[who]
    client = api(user)
    visible = list(applications_visible_to(user).order_by("-id"))
    assert visible, "every role here sees at least one application"
    listed = client.get("/api/v1/applications/?limit=100").json()
    assert listed["count"] == len(visible)
    assert _json(listed["results"]) == _json([json.loads(_generic(ApplicationOutput, a, user)) for a in visible])
    for app in visible:
        detail = client.get(f"/api/v1/applications/{app.pk}/").json()
        assert _json(detail) == _generic(ApplicationDetailOutput, app, user), (who, app.status)


def test_the_nested_parts_match_their_declared_serializers(applications, cast):
    issued = applications.get(status="issued")
    assert ApplicationOutput().get_act(issued) == ActBrief(issued.act).data
    assert ApplicationOutput().get_act(applications.filter(status="draft").first()) is None
    for doc in issued.documents.all():
        assert _json(DocumentOutput(doc).data) == _generic(DocumentOutput, doc, cast["alice"])
    carol_request = Request(APIRequestFactory().get("/"))
    carol_request.user = cast["carol"]
    for app in applications:
        states = workflow.action_states(app, cast["carol"])
        output = ApplicationDetailOutput(context={"request": carol_request}).get_actions(app)
        assert output == ActionStateOutput(states, many=True).data


def test_the_hand_written_output_has_every_declared_field_in_order(applications, api, cast):
    client = api(cast["alice"])
    app = applications.filter(owner=cast["alice"]).first()
    assert list(client.get("/api/v1/applications/").json()["results"][0]) == list(ApplicationOutput().fields)
    assert list(client.get(f"/api/v1/applications/{app.pk}/").json()) == list(ApplicationDetailOutput().fields)
