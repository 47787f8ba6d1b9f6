"""Server-side tests of the web pages: what each person sees, in which order, in which language."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone

from accounts.models import User
from permits.choices import Kind, Status
from permits.models import Application
from tests.conftest import BACAU_E, BACAU_N
from tests.helpers import otp_login

pytestmark = pytest.mark.django_db


def client_for(user=None, language="ro") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        otp_login(client, user)
    return client


def application(owner, issuer, *, status=Status.SUBMITTED, due_in=None, parcels=(), **kw) -> Application:
    app = Application.objects.create(
        kind=Kind.CU, owner=owner, issuer=issuer, uat=issuer.uat, status=status, applicant_type="person",
        applicant_name=kw.pop("applicant_name", owner.username.title()), applicant_id_code="1800101040011",
        due_date=None if due_in is None else timezone.localdate() + timedelta(days=due_in), **kw)
    app.parcels.set(parcels)
    return app


def test_the_home_page_is_the_map_in_romanian_with_its_configuration(mapped_world):
    response = client_for().get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ro">' in html
    assert "Găsiți parcela" in html
    config = json.loads(html.split('id="map-config" type="application/json">')[1].split("</script>")[0])
    assert config["styleUrl"] == "/map/style.json"
    west, south, east, north = config["bounds"]
    assert 26.8 < west < east < 27.0 and 46.5 < south < north < 46.7
    assert "vendor/maplibre-gl/dist/maplibre-gl.js" in html
    # It opens on the town (the largest intravilan body), at a zoom where parcels and buildings are drawn.
    centre = Point(BACAU_E - 2000, BACAU_N + 2000, srid=3844).transform(4326, clone=True)
    assert config["view"]["zoom"] == 15
    assert config["view"]["center"] == pytest.approx([centre.x, centre.y], abs=1e-5)
    # and embeds its style, so the first tiles are requested without a round trip for style.json
    assert config["style"]["sources"]["parcels"]["minzoom"] == 14


def test_without_a_published_intravilan_the_map_opens_on_the_whole_territory(territory):
    html = client_for().get("/").content.decode()
    config = json.loads(html.split('id="map-config" type="application/json">')[1].split("</script>")[0])
    assert config["view"] is None and config["bounds"]


def test_the_pages_switch_to_english(mapped_world):
    client = client_for()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Find your parcel" in html
    assert "Găsiți parcela" not in html


def test_an_english_browser_still_gets_romanian_until_english_is_chosen(mapped_world):
    client = client_for(language="en-US,en;q=0.9")
    response = client.get("/")
    html = response.content.decode()
    assert '<html lang="ro">' in html and "Găsiți parcela" in html
    assert response["Content-Language"] == "ro"
    assert "Accept-Language" not in response.get("Vary", "")
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html and "Find your parcel" in html
    assert client.post("/i18n/setlang/", {"language": "ro", "next": "/"}).status_code == 302
    assert '<html lang="ro">' in client.get("/").content.decode()


def test_an_unknown_language_cookie_falls_back_to_romanian(mapped_world):
    client = client_for(language="en")
    client.cookies["django_language"] = "de"
    assert '<html lang="ro">' in client.get("/").content.decode()


def test_the_map_style_draws_our_own_tiles_only_with_a_legend(mapped_world):
    style = client_for().get("/map/style.json").json()
    assert style["version"] == 8
    tiles = [url for source in style["sources"].values() for url in source.get("tiles", [])]
    assert tiles and all(url.startswith("http://testserver/tiles/") for url in tiles)
    assert style["sources"]["parcels"]["minzoom"] == 14
    assert {"monumente", "utr", "parcels", "buildings"} <= set(style["sources"])
    ids = [layer["id"] for layer in style["layers"]]
    # zoning under constraints under buildings and parcels
    assert ids.index("utr-fill") < ids.index("monumente-fill") < ids.index("buildings-fill") < ids.index("parcels-line")
    legend = {item["id"]: item for item in style["metadata"]["portal:legend"]}
    assert legend["monumente"]["label"] == "Monumente istorice"
    # The first view draws zoning, reference layers, parcels and buildings; constraints start hidden
    # (no tile requested) and are switched on from the legend, which knows their style layers.
    visibility = {layer["id"]: layer.get("layout", {}).get("visibility", "visible") for layer in style["layers"]}
    assert {visibility[i] for i in legend["monumente"]["layers"]} == {"none"} and not legend["monumente"]["visible"]
    assert {visibility[i] for i in legend["utr"]["layers"] + legend["intravilan"]["layers"]} == {"visible"}
    assert legend["parcels"]["visible"] and legend["buildings"]["visible"]
    assert "intravilan-fill" not in visibility  # reference polygons are outlines only: no invisible fill to draw
    assert "glyphs" not in style and "sprite" not in style  # nothing fetched from elsewhere


def test_signing_up_creates_an_investor_and_logs_them_in(db):
    client = client_for()
    response = client.post("/signup/", {"username": "ion", "email": "Ion@Example.ro", "first_name": "Ion",
                                        "last_name": "Popescu", "password1": "o-parola-lunga-99",
                                        "password2": "o-parola-lunga-99"})
    assert response.status_code == 302
    user = User.objects.get(username="ion")
    assert user.role == User.Role.INVESTOR and user.email == "ion@example.ro"
    assert client.get("/requests/").status_code == 200


def test_sign_up_refuses_a_short_password_and_writes_nothing(db):
    response = client_for().post("/signup/", {"username": "ion", "email": "ion@example.ro",
                                              "password1": "scurta", "password2": "scurta"})
    assert response.status_code == 200
    assert "error" in response.content.decode()
    assert not User.objects.filter(username="ion").exists()


def test_the_staff_queue_sorts_by_legal_deadline_and_flags_overdue_and_due_soon(mapped_world):
    w = mapped_world
    later = application(w["alice"], w["issuer_a"], due_in=10, applicant_name="Later")
    overdue = application(w["alice"], w["issuer_a"], due_in=-2, applicant_name="Overdue")
    soon = application(w["bob"], w["issuer_a"], due_in=1, applicant_name="Soon")
    application(w["alice"], w["issuer_a"], status=Status.DRAFT, applicant_name="Draft")
    application(w["alice"], w["issuer_b"], due_in=1, applicant_name="Other issuer")
    html = client_for(w["carol"]).get("/staff/queue/").content.decode()
    order = [int(chunk.split('"')[0]) for chunk in html.split('data-application="')[1:]]
    assert order == [overdue.pk, soon.pk, later.pk]
    assert f'class="overdue" data-application="{overdue.pk}"' in html
    assert f'class="due-soon" data-application="{soon.pk}"' in html
    assert f'class="" data-application="{later.pk}"' in html


def test_investors_see_only_their_own_requests(mapped_world):
    w = mapped_world
    mine = application(w["alice"], w["issuer_a"], parcels=w["parcels"][:1])
    theirs = application(w["bob"], w["issuer_a"])
    alice = client_for(w["alice"])
    assert alice.get(f"/requests/{mine.pk}/").status_code == 200
    assert alice.get(f"/requests/{theirs.pk}/").status_code == 404
    listing = alice.get("/requests/").content.decode()
    assert f"/requests/{mine.pk}/" in listing and f"/requests/{theirs.pk}/" not in listing


def test_a_clerk_of_another_issuer_cannot_open_the_request(mapped_world):
    w = mapped_world
    app = application(w["alice"], w["issuer_a"])
    assert client_for(w["dave"]).get(f"/requests/{app.pk}/").status_code == 404
    assert client_for(w["carol"]).get(f"/requests/{app.pk}/").status_code == 200


def test_the_request_page_draws_parcels_and_the_features_hit_with_their_distance(mapped_world):
    from layers.models import Feature

    w = mapped_world
    monument = Feature.objects.get(name="Biserica Precista")
    app = application(w["alice"], w["issuer_a"], parcels=w["parcels"][:1], analysis_result={
        "rule_hits": [{"rule": "R2", "layer": "monumente", "feature_ids": [monument.pk], "distance_m": 56.6}],
        "required_avize": [{"institution": {"code": "djc-bacau", "name": "DJC Bacău"}, "reasons": [{"rule": "R2"}]}],
    })
    response = client_for(w["carol"]).get(f"/requests/{app.pk}/")
    html = response.content.decode()
    config = json.loads(html.split('id="map-config" type="application/json">')[1].split("</script>")[0])
    roles = sorted(f["properties"]["role"] for f in config["overlay"]["features"])
    assert roles == ["hit", "parcel"]
    hit = next(f for f in config["overlay"]["features"] if f["properties"]["role"] == "hit")
    assert hit["properties"]["distance_m"] == 56.6
    lon, lat = hit["geometry"]["coordinates"]
    assert 26.9 < lon < 26.93 and 46.55 < lat < 46.58
    assert "DJC Bacău" in html
    assert config["actions"] == ["accept", "return_for_completion", "refuse"]
    assert 'data-action="accept"' in html


def test_staff_pages_are_closed_to_investors_and_admin_pages_to_staff(mapped_world):
    w = mapped_world
    assert client_for(w["alice"]).get("/staff/queue/").status_code == 403
    assert client_for(w["carol"]).get("/manage/").status_code == 403
    assert client_for(w["frank"]).get("/staff/queue/").status_code == 403
    assert client_for(w["alice"]).get("/inbox/").status_code == 403
    assert client_for().get("/staff/queue/").status_code == 302  # to the login page
    page = client_for(w["root"]).get("/manage/").content.decode()
    assert "Monumente istorice" in page and "djc-bacau" in page


def test_clipping_a_footprint_keeps_only_the_part_inside_the_parcel(mapped_world):
    from django.contrib.gis.geos import Polygon

    parcel = mapped_world["parcels"][0]
    # 10 m × 30 m, half of it north of the 20 m parcel
    drawn = Polygon.from_bbox((BACAU_E + 5, BACAU_N + 5, BACAU_E + 15, BACAU_N + 35))
    drawn.srid = 3844
    drawn.transform(4326)
    response = client_for().post("/api/v1/parcels/footprint-clip/", {"footprint": json.loads(drawn.geojson),
                                 "parcels": [parcel.pk]}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["clipped"] is True
    assert body["area_m2"] == pytest.approx(150.0, abs=0.5)


def test_clipping_a_footprint_outside_the_parcel_is_a_400_naming_the_field(mapped_world):
    from django.contrib.gis.geos import Polygon

    parcel = mapped_world["parcels"][0]
    drawn = Polygon.from_bbox((BACAU_E + 500, BACAU_N, BACAU_E + 510, BACAU_N + 10))
    drawn.srid = 3844
    drawn.transform(4326)
    response = client_for().post("/api/v1/parcels/footprint-clip/", {"footprint": json.loads(drawn.geojson),
                                 "parcels": [parcel.pk]}, content_type="application/json")
    assert response.status_code == 400
    assert "footprint" in response.json()["errors"]


def test_the_works_declaration_of_the_english_wizard_is_in_english(cast):
    client = client_for(cast["alice"])
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    html = client.get("/requests/new/cu/").content.decode()
    assert '<html lang="en">' in html
    for english in ("What you declare about the works", "Single-family house", "Shops / services", "Water supply",
                    "Sewerage", "Natural gas", "Street / local road", "County road"):
        assert english in html, english
    for romanian in ("Locuință unifamilială", "Alimentare cu apă", "Stradă / drum local", "Drum județean"):
        assert romanian not in html, romanian
    romanian_page = client_for(cast["bob"]).get("/requests/new/cu/").content.decode()
    assert "Locuință unifamilială" in romanian_page and "Alimentare cu apă" in romanian_page


@pytest.mark.parametrize("language, words", [
    ("ro", ("Securitate", "Sesiuni active", "Conturi și securitate", "Jurnal de audit", "Autentificare în doi pași",
            "Înrolați aplicația de autentificare")),
    ("en", ("Security", "Active sessions", "Accounts and security", "Audit trail", "Two-factor authentication",
            "Enrol your authenticator app")),
])
def test_the_security_pages_in_both_languages_for_whom_they_are(cast, language, words):
    from tests.helpers import second_factor_device

    security, sessions, accounts, audit, second, enrol = words

    def get(client, url):
        client.cookies["django_language"] = language
        return client.get(url)

    carol = cast["carol"]
    for name in ("alice", "carol", "frank", "root"):
        page = get(client_for(cast[name]), "/account/security/").content.decode()
        assert f"<h1>{security}</h1>" in page and sessions in page, name
    admin = client_for(cast["root"])
    assert accounts in get(admin, "/manage/users/").content.decode()
    assert sessions in get(admin, f"/manage/users/{carol.pk}/security/").content.decode()
    assert audit in get(admin, "/manage/audit/").content.decode()
    assert get(client_for(cast["erin"]), "/manage/audit/").status_code == 200  # their issuer's entries
    for name in ("alice", "carol", "frank"):
        assert get(client_for(cast[name]), "/manage/audit/").status_code == 403
        assert get(client_for(cast[name]), "/manage/users/").status_code == 403
    second_factor_device(carol)
    password_only = Client()
    password_only.force_login(carol)
    assert second in get(password_only, "/account/second-factor/").content.decode()
    new_staff = Client()
    new_staff.force_login(cast["dave"])
    assert enrol in get(new_staff, "/account/second-factor/enrol/").content.decode()
    assert get(Client(), "/account/security/").status_code == 302  # anonymous: the log-in page
