from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "gis_portal.web"
    label = "web"
    verbose_name = "Web UI"
