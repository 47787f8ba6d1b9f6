"""Public pages: the investor map (home), its style, sign-up."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from web import geo
from web.forms import SignupForm
from web.mapstyle import build_style


def map_config(request: HttpRequest, **extra) -> dict:
    """What every map page's ES module needs, passed through a JSON script tag (the CSP forbids inline JS)."""
    return {
        "styleUrl": reverse("web:map-style"),
        "bounds": geo.territory_bounds(),
        "basemap": bool(getattr(settings, "MAP_BASEMAP_URL", "")),
        "language": get_language(),
        **extra,
    }


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    centre = geo.town_centre()
    config = map_config(
        request,
        view={"center": centre, "zoom": geo.HOME_ZOOM} if centre else None,
        # Embedded: the map requests its first tiles without waiting for /map/style.json.
        style=build_style(request),
        loggedIn=user.is_authenticated,
        canRequest=user.is_authenticated and user.role == "investor",
        cuNewUrl=reverse("web:cu-new"),
        newUrls={kind: reverse("web:request-new", args=[kind]) for kind in ("ac", "ad", "address_certificate")},
        loginUrl=reverse("web:login"),
    )
    return render(request, "web/home.html", {"config": config})


@require_safe
def map_style(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(build_style(request))
    # Short cache: a newly published layer appears within a minute; the legend follows the language.
    response["Cache-Control"] = "public, max-age=60"
    response["Vary"] = "Cookie"  # the language comes from the cookie only
    return response


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.language = get_language()
        user = form.save()
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        messages.success(request, _("Contul a fost creat. Bine ați venit!"))
        nxt = request.GET.get("next", "")
        safe = url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})
        return redirect(nxt if nxt and safe else "web:home")
    return render(request, "web/signup.html", {"form": form})
