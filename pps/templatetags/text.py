"""Text filters for templates."""

from django import template

register = template.Library()


@register.filter
def lowerfirst(value) -> str:
    """ "The council's SEN team" -> "the council's SEN team": for a label inside a sentence,
    where ``|lower`` would make "sen" of an acronym."""
    text = str(value)
    return text[:1].lower() + text[1:]
