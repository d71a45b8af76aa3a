"""``{% url %}`` (``pps/templatetags/links.py``, which takes the place of Django's tag) gives what
``reverse()`` gives, for every URL pattern of the project, with one id and with the next."""

import uuid

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse, set_script_prefix

from pps.templatetags.links import fast_reverse

VALUES = {
    "uuid": lambda n: uuid.uuid4(),
    "int": lambda n: 7 + n,
    "string": lambda n: f"word{n}",
    "path": lambda n: f"a/path{n}",
    "slug": lambda n: f"a-slug-{n}",
}


def named_patterns(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def arguments(pattern, n):
    converters = pattern.pattern.converters
    return {
        name: VALUES[type(converter).__name__.removesuffix("Converter").lower()](n)
        for name, converter in converters.items()
    }


PATTERNS = sorted({name: pattern for name, pattern in named_patterns()}.items())


def test_the_project_has_patterns_of_each_kind():
    kinds = {type(c).__name__ for _, p in PATTERNS for c in p.pattern.converters.values()}
    assert "UUIDConverter" in kinds and len(PATTERNS) > 100


@pytest.mark.parametrize("name, pattern", PATTERNS, ids=[name for name, _ in PATTERNS])
def test_every_pattern_gives_reverses_url(name, pattern):
    for n in range(3):  # the first makes the shape, the others use it
        kwargs = arguments(pattern, n)
        expected = reverse(name, kwargs=kwargs)
        assert fast_reverse(name, kwargs=kwargs) == expected
        if kwargs:
            args = list(kwargs.values())
            try:
                positional = reverse(name, args=args)
            except NoReverseMatch:
                continue
            assert fast_reverse(name, args=args) == positional
            tags = " ".join(f"v{i}" for i in range(len(args)))
            rendered = Template(f"{{% url '{name}' {tags} %}}").render(
                Context({f"v{i}": a for i, a in enumerate(args)})
            )
            assert rendered == positional.replace("&", "&amp;")


def test_the_tag_keeps_djangos_behaviour():
    case_id = uuid.uuid4()
    assert (
        Template("{% url 'cases:case_detail' case_id as link %}[{{ link }}]").render(
            Context({"case_id": case_id})
        )
        == f"[{reverse('cases:case_detail', args=[case_id])}]"
    )
    assert Template("{% url 'no-such-view' as link %}[{{ link }}]").render(Context()) == "[]"
    with pytest.raises(NoReverseMatch):
        Template("{% url 'no-such-view' %}").render(Context())
    with pytest.raises(NoReverseMatch):  # a malformed id is refused, as reverse() refuses it
        Template("{% url 'cases:case_detail' 'not-a-uuid' %}").render(Context())


def test_a_script_prefix_is_kept_apart():
    case_id = uuid.uuid4()
    plain = fast_reverse("cases:case_detail", args=[case_id])
    set_script_prefix("/casework/")
    try:
        assert fast_reverse("cases:case_detail", args=[case_id]) == "/casework" + plain
    finally:
        set_script_prefix("/")
    assert fast_reverse("cases:case_detail", args=[case_id]) == plain


@override_settings(ROOT_URLCONF="tests.pps.urls_for_links")
def test_another_url_configuration_is_kept_apart():
    assert fast_reverse("only-here", args=[5]) == "/elsewhere/5/"
