"""``{% consent_warnings %}``: the dashboard's warnings about consent to share (R3)."""

from django import template

from consent import access as consent_access
from consent.queries import consent_warnings_for, pending_referral_count
from pps import access

register = template.Library()


@register.inclusion_tag("consent/includes/dashboard_warnings.html", takes_context=True)
def consent_warnings(context):
    """Consents lapsing soon and open cases working without one, for the signed-in user."""
    user = context["request"].user
    if not access.can_work_on_cases(user):
        return {"show": False}
    return {"show": True, **consent_warnings_for(user)}


@register.inclusion_tag("consent/includes/dashboard_referrals.html", takes_context=True)
def referrals_waiting(context):
    """How many referrals wait for the parent to be contacted, for those who take referrals."""
    user = context["request"].user
    if not consent_access.can_take_referrals(user):
        return {"show": False}
    return {"show": True, "pending": pending_referral_count(user)}


@register.simple_tag(takes_context=True)
def may_take_referrals(context) -> bool:
    """For the menu: may the signed-in person record and follow referrals
    (``consent.access.can_take_referrals``)."""
    request = context.get("request")
    return consent_access.can_take_referrals(getattr(request, "user", None))
