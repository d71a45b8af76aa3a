"""``{% policy_review_warning %}``: the dashboard's line for senior staff when the service's
confidentiality policy is due for its yearly review (R17)."""

from django import template

from pps import access, services

register = template.Library()


@register.inclusion_tag("pps/includes/policy_review_warning.html", takes_context=True)
def policy_review_warning(context):
    """Shown to those who publish the policy, once its current version is a year old."""
    user = context["request"].user
    if not access.may_publish_policy(user):
        return {"show": False}
    return {"show": services.service_policy_review_is_due(user.service_id)}
