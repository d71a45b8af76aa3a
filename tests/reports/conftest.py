from datetime import datetime, time

import pytest
import time_machine
from django.utils import timezone

from cases import services
from tests.factories import contact_details, make_case


def local(year, month, day, hour=12, minute=0):
    return datetime.combine(
        datetime(year, month, day).date(), time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def contact_at(by, when, case=None, **details):
    """A contact logged as if at ``when`` (the clock is moved there, so every check applies)."""
    with time_machine.travel(when, tick=False):
        values = contact_details(by.service, occurred_at=when, **details)
        if case is None:
            return services.log_nng_contact(by=by, details=values)
        return services.log_case_contact(by=by, case=case, details=values)


def case_at(by, when, **fields):
    with time_machine.travel(when, tick=False):
        return make_case(by, **fields)


@pytest.fixture
def at_case():
    return case_at


@pytest.fixture
def at_contact():
    return contact_at
