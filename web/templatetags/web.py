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


@register.filter
def doc_label(document, kind: str | None = None) -> str:
    """A document's type in the page's language, the request form named for the request's kind:
    {{ d|doc_label:app.kind }} (F.12 for an AC extension, not the generic F.1 / F.8)."""
    return labels.doc_type_label(document.doc_type, kind)
