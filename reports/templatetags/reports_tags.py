from django import template

from reports import access

register = template.Library()


@register.simple_tag(takes_context=True)
def may_see_statistics(context) -> bool:
    """For the menu: may the signed-in person see the statistics (``reports.access``)."""
    request = context.get("request")
    return access.may_see_statistics(getattr(request, "user", None))
