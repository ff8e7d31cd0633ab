"""Template helpers of the library's back office (presentation only, no rule)."""

from django import template
from django.urls import reverse

from web.library_menu import entries_for

register = template.Library()


@register.simple_tag(takes_context=True)
def library_menu(context) -> list[dict]:
    """The back office's navigation for the signed-in user, the current page marked."""
    request = context["request"]
    current = context.get("library_section", "")
    return [
        {
            "url": reverse(entry.url_name),
            "label": entry.label,
            "current": bool(entry.section) and entry.section == current,
        }
        for entry in entries_for(request.user)
    ]


@register.filter
def percent(used, limit) -> int:
    """`used` as a whole percentage of `limit` (0 when there is no limit)."""
    if not limit:
        return 0
    return int(used * 100 // limit)
