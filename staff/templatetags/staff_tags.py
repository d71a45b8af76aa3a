from django import template

from staff import access

register = template.Library()


@register.simple_tag(takes_context=True)
def may_manage_staff_accounts(context) -> bool:
    """Whether to offer Staff accounts (the menu, the Staff page, the dashboard)."""
    request = context.get("request")
    return access.may_manage_accounts(getattr(request, "user", None))
