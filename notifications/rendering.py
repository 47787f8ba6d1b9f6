"""Subject and text of a notification in the recipient's language (Romanian by default).

Templates live in notifications/templates/notifications/email/<event>.<language>.txt: the first
line is the subject, the rest the body. They are plain text, so HTML escaping is off.
"""
from __future__ import annotations

from typing import Any

from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation

LANGUAGES = ("ro", "en")


def render_message(*, event: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    language = language if language in LANGUAGES else "ro"
    try:
        template = get_template(f"notifications/email/{event}.{language}.txt")
    except TemplateDoesNotExist:
        template = get_template(f"notifications/email/generic.{language}.txt")
    with translation.override(language):
        text = template.render({**context, "event": event})
    subject, _, body = text.strip().partition("\n")
    return subject.strip()[:300], body.strip() + "\n"
