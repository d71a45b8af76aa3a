"""``{% url %}`` as Django's, with each page's URL shape reversed once a process.

A case page holds about a hundred ``{% url %}`` tags (the menu, the side panel, two or three on
every timeline entry), and Django's ``reverse()`` costs about 50 microseconds each (6 this way):
it tries the view's patterns, fills one in, then matches the result against the pattern again. Most of the
page's links differ only by a record's id. So the first time a view's URL is asked for with
arguments of one kind (record ids: UUIDs or non-negative integers), it is reversed with
stand-in ids, and kept split around them; then each link is the pieces with the real ids put in,
which is what ``reverse()`` gives for such ids (a UUID's or an integer's text needs no quoting
and matches any converter that accepted the stand-in). Anything else (text arguments, a view
that cannot be reversed with stand-ins, an id found twice in its URL) goes to ``reverse()``.

A builtin of the templates (``TEMPLATES["OPTIONS"]["builtins"]``), so it takes the place of
Django's ``url`` tag, with the same syntax and the same output (``tests/pps/test_links.py`` holds
it to ``reverse()`` for every URL pattern of the project). The shapes are kept per URL
configuration and script prefix, and forgotten when ``ROOT_URLCONF`` changes (tests).
"""

import uuid
from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()


def _kind(value):
    """The kind of argument a shape can be kept for (a record id), or None."""
    if type(value) is uuid.UUID:
        return uuid.UUID
    if type(value) is int and value >= 0:
        return int
    return None


def _stand_in(kind, n: int):
    if kind is uuid.UUID:
        return uuid.UUID(int=(0x5E1F_0B5E << 96) + n)
    return 918_273_645_000 + n


class _Shape:
    """A URL split around its arguments: ``pieces[0] + arg + pieces[1] + arg + ...``, the
    arguments in ``order`` (indexes into the arguments as given)."""

    def __init__(self, pieces: list, order: list):
        self.pieces, self.order = pieces, order

    def fill(self, values: list) -> str:
        parts = [self.pieces[0]]
        for index, piece in zip(self.order, self.pieces[1:], strict=True):
            parts.append(str(values[index]))
            parts.append(piece)
        return "".join(parts)


@lru_cache(maxsize=4096)
def _shape(view_name, arg_kinds: tuple, kwarg_kinds: tuple, current_app, urlconf, prefix) -> _Shape | None:
    kinds = [*arg_kinds, *(kind for _, kind in kwarg_kinds)]
    stand_ins = [_stand_in(kind, n) for n, kind in enumerate(kinds)]
    args = stand_ins[: len(arg_kinds)]
    kwargs = {name: value for (name, _), value in zip(kwarg_kinds, stand_ins[len(arg_kinds) :], strict=True)}
    try:
        url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app, urlconf=urlconf)
    except NoReverseMatch:
        return None
    texts = [str(value) for value in stand_ins]
    if any(url.count(text) != 1 for text in texts):
        return None
    order = sorted(range(len(texts)), key=lambda n: url.index(texts[n]))
    pieces, rest = [], url
    for n in order:
        before, _, rest = rest.partition(texts[n])
        pieces.append(before)
    pieces.append(rest)
    return _Shape(pieces, order)


def fast_reverse(view_name, args=(), kwargs=None, current_app=None) -> str:
    """``reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)``, from a kept
    shape when the arguments are record ids (see above)."""
    kwargs = kwargs or {}
    arg_kinds = tuple(_kind(value) for value in args)
    kwarg_kinds = tuple((name, _kind(value)) for name, value in sorted(kwargs.items()))
    if (
        None not in arg_kinds
        and all(kind is not None for _, kind in kwarg_kinds)
        and isinstance(view_name, str)
    ):
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        shape = _shape(view_name, arg_kinds, kwarg_kinds, current_app, urlconf, get_script_prefix())
        if shape is not None:
            return shape.fill([*args, *(kwargs[name] for name, _ in kwarg_kinds)])
    return reverse(view_name, args=list(args), kwargs=kwargs, current_app=current_app)


def _forget_shapes(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _shape.cache_clear()


setting_changed.connect(_forget_shapes, dispatch_uid="pps_links_forget_shapes")


class LinkNode(URLNode):
    """Django's ``URLNode``, reversing through ``fast_reverse``."""

    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {name: value.resolve(context) for name, value in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = fast_reverse(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """``{% url 'name' arg ... [as var] %}``: Django's tag (its parsing), reversed faster."""
    node = django_url(parser, token)
    return LinkNode(node.view_name, node.args, node.kwargs, node.asvar)
