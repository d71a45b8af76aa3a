"""Factories for tests and benchmarks. Records are made through the service functions, so that
what tests see is what the application itself would have stored."""

import itertools

import factory
from django.utils import timezone

from cases import services
from cases.models import Child, Outcome, Parent, Topic
from pps.models import Role, Service, User

_counter = itertools.count(1)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Parent Partnership Service {n}")
    short_name = factory.Sequence(lambda n: f"PPS{n}")
    phone = "01234 567890"

    @factory.post_generation
    def reference_data(obj, create, extracted, **kwargs):
        if create:
            services.seed_reference_data(obj)


def _plain_name(kind: str) -> str:
    """A Faker en_GB name (factory_boy's seeded generator) without an apostrophe."""
    fake = factory.Faker._get_faker(locale="en_GB")
    name = getattr(fake, kind)()
    while "'" in name:
        name = getattr(fake, kind)()
    return name


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    # Names the page shows as typed, so tests may look for them as they are: Faker's O'Neill
    # (escaped on the page as O&#x27;Neill) is left to the tests that pass such a name on purpose
    # (tests/cases/test_follow_ups.py).
    first_name = factory.LazyFunction(lambda: _plain_name("first_name"))
    last_name = factory.LazyFunction(lambda: _plain_name("last_name"))
    email = factory.LazyAttribute(lambda u: f"{u.username}@pps.example")
    service = factory.SubFactory(ServiceFactory)
    role = Role.CASEWORKER
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def contact_details(service, **overrides) -> services.ContactDetails:
    values = {
        "occurred_at": timezone.now() - timezone.timedelta(minutes=10),
        "channel": "phone",
        "direction": "in",
        "duration_minutes": 15,
        "topics": list(Topic.objects.filter(service=service)[:2]),
        "outcome": Outcome.objects.filter(service=service).first(),
    }
    values.update(overrides)
    return services.ContactDetails(**values)


def make_case(by, *, children=1, summary="Help with an EHC needs assessment request", **parent_fields):
    """A parent with consent, children and an open case, registered by ``by``."""
    n = next(_counter)
    fields = {
        "first_name": "Alex",
        "last_name": f"Parent{n}",
        "phone": f"07700 9{n:05d}",
        "email": f"parent{n}@example.org",
        "address": f"{n} Example Street\nExampletown",
        "postcode": "ME14 1XX",
        "preferred_contact": Parent.PreferredContact.PHONE,
        "detailed_message_ok": False,
        "parental_responsibility": Parent.ParentalResponsibility.YES,
    }
    fields.update(parent_fields)
    kids = [
        Child(
            first_name=f"Child{n}x{i}",
            last_name=fields["last_name"],
            date_of_birth=timezone.localdate().replace(year=timezone.localdate().year - 8 - i),
            school="Example Primary School",
            need=Child.Need.ASD,
            provision=Child.Provision.SEN_SUPPORT,
        )
        for i in range(children)
    ]
    return services.register_parent(
        by=by,
        consent_confirmed=True,
        consent_method="oral_phone",
        parent=Parent(**fields),
        children=kids,
        case_summary=summary,
    )
