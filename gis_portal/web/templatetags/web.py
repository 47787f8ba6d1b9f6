from django import template

from gis_portal.web import labels

register = template.Library()


@register.filter
def status_label(code: str) -> str:
    return labels.status_label(code)
