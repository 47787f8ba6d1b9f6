"""An institution's completion request is answered with documents: a new dossier version for that
institution alone; and a re-consultation needs a changed dossier."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from avize import services
from avize.models import State
from gis_portal.api.exceptions import StateConflict
from permits.choices import Status
from tests.avize.conftest import days, new_document, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(cast, ac_in_avize, t0):
    app = ac_in_avize(cast["culture"], cast["electricity"])
    new_document(app, by=cast["alice"], name="memoriu.pdf")  # the dossier as submitted
    services.aviz_requests_create_for(application=app, by=cast["carol"], now=t0)
    return {r.institution.code: r for r in app.aviz_requests.all()} | {"app": app}


def test_the_documents_asked_for_go_in_a_new_version_to_that_institution_alone(cast, sent, t0, api):
    culture, electricity = sent["djc-bacau"], sent["delgaz-grid-bacau"]
    assert culture.dossier_version == electricity.dossier_version == 1
    # Outside a completion request the dossier is frozen during the avize stage.
    with pytest.raises(StateConflict):
        services.aviz_completion_document_add(request=culture, by=cast["alice"], doc_type="altele",
                                              upload=pdf_upload())
    services.aviz_completion_request(request=culture, by=cast["frank"], text="Lipsește studiul istoric.",
                                     now=t0 + days(1))
    # Sending the completion without the documents is refused: nothing new for the institution.
    with pytest.raises(ValidationError) as err:
        services.aviz_resubmit(request=culture, by=cast["alice"], now=t0 + days(2))
    assert "documents" in err.value.message_dict
    # Another investor cannot add to her dossier (the API hides the request: 404).
    assert api(cast["bob"]).post(f"/api/v1/avize/{culture.pk}/documents/",
                                 {"doc_type": "altele", "file": pdf_upload()}, format="multipart").status_code == 404
    response = api(cast["alice"]).post(f"/api/v1/avize/{culture.pk}/documents/",
                                       {"doc_type": "altele", "file": pdf_upload("studiu-istoric.pdf")},
                                       format="multipart")
    assert response.status_code == 201, response.content
    study = response.json()["id"]
    services.aviz_resubmit(request=culture, by=cast["alice"], note="Am atașat studiul.", now=t0 + days(2))
    culture.refresh_from_db()
    electricity.refresh_from_db()
    assert culture.state == State.RESUBMITTED and culture.dossier_version == 2
    assert study in {d["id"] for d in culture.documents} and len(culture.documents) == 2
    assert electricity.dossier_version == 1 and study not in {d["id"] for d in electricity.documents}
    # the institution can open the new document; the other one cannot
    assert api(cast["frank"]).get(f"/api/v1/avize/{culture.pk}/documents/{study}/").status_code == 200
    assert api(cast["grace"]).get(f"/api/v1/avize/{electricity.pk}/documents/{study}/").status_code == 404
    assert list(culture.events.values_list("action", "dossier_version")) == [
        ("send", 1), ("request_completion", 1), ("resubmit", 2)]
    # its answer now judges version 2
    services.aviz_answer(request=culture, by=cast["frank"], outcome=State.FAVOURABLE_WITH_CONDITIONS,
                         conditions=["Supraveghere arheologică"], now=t0 + days(3))
    culture.refresh_from_db()
    assert culture.judged_dossier_version == 2
    assert sent["app"].documents.count() == 2


def test_a_re_consultation_without_a_changed_dossier_is_refused(cast, sent, t0):
    app = sent["app"]
    with pytest.raises(ValidationError) as err:
        services.aviz_reconsult(application=app, by=cast["carol"], reason="Verificare.", now=t0 + days(1))
    assert "nu s-a schimbat" in str(err.value)
    assert app.aviz_requests.count() == 2 and not app.aviz_requests.filter(dossier_version=2).exists()
    new_document(app, by=cast["alice"], name="plan-modificat.pdf")
    created = services.aviz_reconsult(application=app, by=cast["carol"], reason="Plan modificat.",
                                      now=t0 + days(1))
    assert sorted((r.institution.code, r.dossier_version) for r in created) == [
        ("delgaz-grid-bacau", 2), ("djc-bacau", 2)]
    # asked again at once, with nothing new: refused again
    with pytest.raises(ValidationError):
        services.aviz_reconsult(application=app, by=cast["carol"], reason="Încă o dată.", now=t0 + days(2))
    app.refresh_from_db()
    assert app.status == Status.AVIZE


def test_asking_for_avize_again_is_offered_only_when_an_institution_has_something_new(cast, sent, t0, api):
    """Back in review after the avize, with every institution asked on the current documents, the clerk is
    not offered "Solicită avizele" (it would change nothing); a completion sent to one institution is the
    latest dossier version and does not make the others due; a changed document does."""
    from permits import workflow

    app, culture, electricity = sent["app"], sent["djc-bacau"], sent["delgaz-grid-bacau"]
    services.aviz_completion_request(request=culture, by=cast["frank"], text="Studiu istoric.", now=t0 + days(1))
    assert api(cast["alice"]).post(f"/api/v1/avize/{culture.pk}/documents/",
                                   {"doc_type": "altele", "file": pdf_upload("studiu.pdf")},
                                   format="multipart").status_code == 201
    services.aviz_resubmit(request=culture, by=cast["alice"], now=t0 + days(2))
    services.aviz_answer(request=culture, by=cast["frank"], outcome=State.FAVOURABLE, now=t0 + days(3))
    services.aviz_answer(request=electricity, by=cast["grace"], outcome=State.FAVOURABLE, now=t0 + days(3))
    app.refresh_from_db()
    assert app.status == Status.IN_REVIEW
    offered, blocked = workflow.offered_actions(app, cast["carol"])
    assert "request_avize" not in offered and blocked["request_avize"] == ["avize_to_request"]
    refused = api(cast["carol"]).post(f"/api/v1/applications/{app.pk}/transitions/", {"action": "request_avize"},
                                      format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["request_avize"] == [
        "Toate instituțiile au fost deja consultate pe documentația actuală."]
    new_document(app, by=cast["carol"], name="plan-modificat.pdf")
    offered, blocked = workflow.offered_actions(app, cast["carol"])
    assert "request_avize" in offered
