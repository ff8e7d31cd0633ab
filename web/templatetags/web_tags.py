"""Small presentation helpers of the web client's templates (no rule lives here)."""

from django import template

from web.rights import USE_LABELS

register = template.Library()


@register.filter
def medium_label(medium: str) -> str:
    """A medium's name as a patron or librarian says it ("Watch at home")."""
    return str(USE_LABELS.get(medium, medium))


@register.filter
def stars(value) -> range:
    """range(value), for drawing a rating's stars."""
    return range(int(value or 0))
