"""What a case page shows of child-protection concerns: to the person who raised one, its
status only; to designated leads, links to the files; to a senior manager who is not a lead, the
same "break glass" link on every case, file or not; to anyone else, nothing at all. And the
count of a lead's unseen alerts, for the menu."""

from django import template

from cases.case_page import has_records
from safeguarding import access as safeguarding_access
from safeguarding.alerts import leads_of, unseen_for
from safeguarding.models import Concern, LeadDesignation
from safeguarding.services import designations_to_decide

register = template.Library()


@register.inclusion_tag("safeguarding/includes/case_concerns.html", takes_context=True)
def case_concerns(context, case):
    user = context["request"].user
    lead = safeguarding_access.is_safeguarding_lead(user)
    concerns = (
        list(Concern.objects.marked_on_case_page(user).filter(case=case).order_by("raised_at"))
        if has_records(user, case, "concerns")
        else []
    )
    if lead:
        return {"lead": True, "concerns": concerns, "case": case}
    return {
        "lead": False,
        "concerns": concerns,
        "case": case,
        "break_glass": safeguarding_access.may_break_glass(user),
    }


@register.simple_tag(takes_context=True)
def may_designate_leads(context) -> bool:
    """For the staff page: may the signed-in person choose the designated leads?"""
    request = context.get("request")
    return safeguarding_access.may_designate_leads(getattr(request, "user", None))


@register.simple_tag(takes_context=True)
def unseen_alert_count(context) -> int:
    """How many child-protection alerts the signed-in lead has not seen; 0 for anyone else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not safeguarding_access.is_safeguarding_lead(user):
        return 0
    # Counted once a request: the menu and the dashboard both show it.
    if not hasattr(request, "_unseen_alert_count"):
        request._unseen_alert_count = unseen_for(user).count()
    return request._unseen_alert_count


@register.inclusion_tag("safeguarding/includes/lead_designations.html", takes_context=True)
def lead_designations(context):
    """On the Staff page: designations as lead waiting for a second person, with the buttons to
    confirm or refuse them for who may, and to withdraw one for who asked."""
    user = context["request"].user
    if not (safeguarding_access.is_safeguarding_lead(user) or user.is_senior):
        return {"to_decide": [], "asked": []}
    to_decide = designations_to_decide(user)
    asked = LeadDesignation.objects.filter(
        asked_by=user, service_id=user.service_id, status=LeadDesignation.Status.PENDING
    ).select_related("member")
    return {"to_decide": to_decide, "asked": list(asked), "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("safeguarding/includes/leads_to_reach.html", takes_context=True)
def leads_to_reach(context):
    """Who the service's designated safeguarding leads are, and how to reach them now: for the
    pages where a concern is raised or followed."""
    user = context["request"].user
    leads = list(leads_of(user.service_id).order_by("first_name", "last_name")) if user.service_id else []
    return {"leads": leads, "office_phone": user.service.phone if user.service_id else ""}
