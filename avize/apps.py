from django.apps import AppConfig


class AvizeConfig(AppConfig):
    name = "avize"
