"""For the menu: may the signed-in person decide legal requests now (``rights.access``)."""

from django import template

from rights import access

register = template.Library()


@register.simple_tag(takes_context=True)
def may_decide_legal_requests(context) -> bool:
    request = context.get("request")
    return access.may_decide_legal_requests(getattr(request, "user", None))
