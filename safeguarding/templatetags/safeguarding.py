"""What a case page shows of child-protection concerns: to the person who raised one, its
status only; to designated leads, links to the files; to anyone else, nothing at all."""

from django import template

from pps import access

register = template.Library()


@register.inclusion_tag("safeguarding/includes/case_concerns.html", takes_context=True)
def case_concerns(context, case):
    user = context["request"].user
    if access.is_safeguarding_lead(user):
        concerns = list(access.concerns_visible_to(user).filter(case=case).order_by("raised_at"))
        return {"lead": True, "concerns": concerns}
    raised = list(access.concern_receipts_visible_to(user).filter(case=case).order_by("raised_at"))
    return {"lead": False, "concerns": raised}
