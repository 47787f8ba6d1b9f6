from django import template
from django.utils.translation import gettext

from web import labels

register = template.Library()


@register.filter
def status_label(code: str) -> str:
    return labels.status_label(code)


@register.filter
def localized(value):
    """A {"ro": …, "en": …} message in the current language (plain strings pass through)."""
    from django.utils.translation import get_language

    if isinstance(value, dict):
        return value.get((get_language() or "ro")[:2]) or value.get("ro") or next(iter(value.values()), "")
    return value or ""


@register.filter
def aviz_state(code: str) -> str:
    return str(labels.AVIZ_STATES.get(code, code))



@register.filter
def display(obj, field: str) -> str:
    """A model field's choice label in the page's language: {{ app|display:"kind" }} (the labels are
    Romanian source strings in the catalogue)."""
    label = getattr(obj, f"get_{field}_display")()
    return gettext(label) if label else ""
