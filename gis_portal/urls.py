"""Root URL configuration: each app owns its full paths in its own urls.py."""
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from gis_portal.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("parcels.urls")),
    path("", include("layers.urls")),
    path("", include("addresses.urls")),
    path("", include("institutions.urls")),
    path("", include("rules.urls")),
    path("", include("permits.urls")),
    path("", include("avize.urls")),
    path("", include("archive.urls")),
    path("", include("notifications.urls")),
    path("", include("web.urls")),
]
