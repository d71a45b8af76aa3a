from django import template

from pps import menu

register = template.Library()


@register.simple_tag(takes_context=True)
def manage_menu(context) -> dict:
    """``{% manage_menu as manage %}``: ``manage.entries`` offered to the signed-in person and
    ``manage.current``, whether the page shown is one of them (the menu marks "Manage")."""
    request = context.get("request")
    entries = menu.entries_for(getattr(request, "user", None))
    match = getattr(request, "resolver_match", None)
    current = bool(match and match.view_name and menu.is_managing(entries, match.view_name))
    return {"entries": entries, "current": current or bool(match and match.view_name == "manage")}
