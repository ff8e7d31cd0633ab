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


@register.filter
def watch_time(seconds) -> str:
    """A position or a duration as a viewer reads it: "1 h 05 min", "12 min 30 s"."""
    total = int(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s"
