"""Every URL pattern: no page without sign-in (bar a short public list), and every page about a
record refuses everyone who may not reach it with a 404, while the right person gets it and the
read is audited."""

import pytest
from auditlog import get_logentry_model
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cases import services
from consent.services import record_consent
from documents.services import templates_for
from safeguarding.services import break_glass, designate_lead, raise_concern
from tests.conftest import client_for
from tests.consent.test_referrals import make_referral
from tests.documents.helpers import attach
from tests.factories import contact_details
from tests.imports.helpers import csv_bytes, previewed, row
from tests.rights.helpers import answered_request, legal_request_with_extract
from training.services import make_case_study

#: Pages anyone may open without signing in.
PUBLIC_URLS = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "csp_report",  # browsers send reports without signing in (an empty one is refused: 400)
    "healthz",  # load balancers' health check: "ok" and nothing else
    "staff:account_set_up",  # a new member of staff's set-up link, before they have a password
    "staff:account_set_up_done",
}


def all_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from all_patterns(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


PATTERNS = sorted(all_patterns())


@pytest.fixture
def records(caseworker, case, non_lead_senior, senior, head):
    contact = services.log_case_contact(
        by=caseworker,
        case=case,
        details=contact_details(case.service),
        notes="CANARY-ZEBEDEE notes",
        follow_up_on=timezone.localdate(),
    )
    consent = record_consent(
        by=caseworker,
        case=case,
        method="oral_phone",
        parent_was_told="CANARY-ZEBEDEE told",
        recipients=["school"],
    )
    concern = raise_concern(
        by=caseworker,
        case=case,
        child=None,
        what="CANARY-ZEBEDEE concern",
        happened_at=timezone.now(),
    )
    sar, redaction = answered_request(caseworker, case, concern)
    return {
        "request_id": sar.pk,
        "redaction_id": redaction.pk,
        "legal_id": legal_request_with_extract(caseworker, case).pk,
        "consent_id": consent.pk,
        "case_id": case.pk,
        "parent_id": case.parent.pk,
        "child_id": case.parent.children.get().pk,
        "contact_id": contact.pk,
        "user_id": caseworker.pk,
        "member_id": caseworker.pk,
        "referral_id": make_referral(caseworker, parent_first_name="CANARY-ZEBEDEE").pk,
        "concern_id": concern.pk,
        "opening_id": break_glass(
            non_lead_senior, case, reason="no_lead", explanation="CANARY-ZEBEDEE cannot wait"
        ).pk,
        # The head of service's own designation as lead, waiting for a second person.
        "designation_id": designate_lead(head, head).pk,
        # A draft training case study: only its maker (``senior``) reaches it until approved.
        "case_study_id": make_case_study(by=senior, case=case).pk,
        "document_id": attach(caseworker, case, "CANARY-ZEBEDEE.txt", b"CANARY-ZEBEDEE words").pk,
        "template_id": templates_for(case.service).first().pk,
        # An import of existing records, previewed and waiting to be confirmed (head of service).
        "import_id": previewed(head, csv_bytes([row(**{"First name": "CANARY-ZEBEDEE"})])).pk,
        # A search's results live in the searcher's own session: any other session gets 404
        # (tests/cases/test_search_results.py shows the searcher's own).
        "key": "not-a-kept-search",
    }


def url_for(name, pattern, records):
    kwargs = {key: records[key] for key in pattern.pattern.converters}
    return reverse(name, kwargs=kwargs)


def test_the_walk_covers_every_pattern():
    names = {name for name, _ in PATTERNS}
    assert {"cases:case_detail", "cases:parent_detail", "cases:contact_log", "login"} <= names
    assert len(names) == len(PATTERNS), "every URL pattern needs a unique name"


class _RolledBack(Exception):
    pass


def each_in_its_own_savepoint(check, items):
    """``check(item)`` for every item, each in a savepoint rolled back afterwards (what one
    request changes never reaches the next), collecting what went wrong rather than stopping at
    the first: one walk of every URL builds the records once, not once per URL."""
    problems = []
    for item in items:
        try:
            with transaction.atomic():
                problem = check(item)
                raise _RolledBack
        except _RolledBack:
            pass
        if problem:
            problems.append(problem)
    return problems


def test_nobody_gets_in_without_signing_in(client, records):
    def check(named):
        name, pattern = named
        url = url_for(name, pattern, records)
        for method in (client.get, client.post):
            response = method(url)
            if name in PUBLIC_URLS:
                if response.status_code not in ((400, 405) if name == "csp_report" else (200, 405)):
                    return f"{name} answered {response.status_code}"
            elif response.status_code != 302 or not response.url.startswith(reverse("login")):
                return f"{name} answered {response.status_code} without sign-in"
        return None

    assert each_in_its_own_savepoint(check, PATTERNS) == []


#: Pages for senior managers and the head of service only.
SENIOR_ONLY = {
    "cases:case_assign",
    "cases:case_unassign",
    "cases:case_link",
    "cases:case_access_log",
    "cases:staff_access_log",
    "cases:caseload_member",
    "cases:caseload_allocate",
    "cases:contact_move",
    # The data-rights workbench (``senior`` is also a designated lead, for its child-protection review).
    *(
        f"rights:{name}"
        for name in (
            "request_detail identity_check clock_pause clock_restart extension child_protection_decide "
            "child_protection_done assemble redact unredact approve sent close refuse download"
        ).split()
    ),
    "safeguarding:designation_decide",
    # Training case studies: made by senior staff; a draft is read by its maker only.
    "training:study_make",
    "training:study_detail",
    "training:study_edit",
    "training:study_submit",
    "training:study_approve",
    "training:study_send_back",
    "training:study_withdraw",
    # Letter templates are edited by senior staff.
    "documents:letter_template_edit",
}

#: Child-protection files: for designated safeguarding leads only (``senior`` is one).
SAFEGUARDING_LEAD_ONLY = {
    "safeguarding:concern_detail",
    "safeguarding:discussion_record",
    "safeguarding:referral_record",
    "safeguarding:concern_close",
    "safeguarding:case_file",
    "safeguarding:break_glass_review",
    "safeguarding:designation_review",
}

#: For the head of service only.
HEAD_ONLY = {
    # Imports of existing records: the head of service's (a maintainer reaches only their own).
    *(f"imports:import_{name}" for name in "detail columns values preview confirm resume cancel".split()),
    "safeguarding:lead_designation",
    # Legal requests: the head of service decides them (or their deputy while they are absent).
    *(
        f"rights:{name}"
        for name in (
            "legal_request_detail legal_permission legal_permission_on_file legal_decline legal_extract "
            "legal_send legal_download"
        ).split()
    ),
}

#: Staff accounts: the head of service, and the system maintainer (accounts hold no case content).
STAFF_ACCOUNTS = {
    f"staff:{name}"
    for name in (
        "staff_account staff_account_details staff_account_role staff_account_reset staff_account_close "
        "staff_account_link"
    ).split()
}
HEAD_ONLY |= STAFF_ACCOUNTS
#: Addressed by a key kept in the session of the person who made it: 404 in any other session.
SESSION_BOUND = {"cases:parent_search_results"}

#: Break glass: for senior managers and heads of service who are not designated leads.
BREAK_GLASS = {"safeguarding:break_glass"}

OBJECT_PATTERNS = [(name, p) for name, p in PATTERNS if p.pattern.converters]


@pytest.mark.parametrize("persona", ["outsider", "second_caseworker", "coordinator", "maintainer"])
def test_people_who_may_not_reach_a_record_get_404(request, records, persona):
    user = request.getfixturevalue(persona)
    user.is_superuser = persona == "maintainer"  # not even a superuser flag opens a case
    user.save()

    def check(named):
        name, pattern = named
        if persona == "maintainer" and name in STAFF_ACCOUNTS:
            return None  # the maintainer runs the service's staff accounts (tests/staff)
        client = client_for(user)
        url = url_for(name, pattern, records)
        for method in (client.get, client.post):
            response = method(url)
            # 405 (a GET on a POST-only action) is decided before any record is looked at.
            allowed = (404, 405) if method == client.get else (404,)
            if response.status_code not in allowed:
                return f"{persona} got {response.status_code} from {name}"
            if "CANARY-ZEBEDEE" in response.content.decode():
                return f"{persona} saw a record's content on {name}"
        return None

    assert each_in_its_own_savepoint(check, OBJECT_PATTERNS) == []


def fresh_import(records, name, head):
    """The records, with an import of its own for an import's page: confirming or cancelling one
    deletes its uploaded file, which no savepoint brings back."""
    if not name.startswith("imports:"):
        return records
    return {**records, "import_id": previewed(head, csv_bytes([row(**{"First name": "CANARY-ZEBEDEE"})])).pk}


def _persona_for(name):
    if name in HEAD_ONLY:
        return "head"
    if name in BREAK_GLASS:
        return "non_lead_senior"
    return "senior" if name in SENIOR_ONLY or name in SAFEGUARDING_LEAD_ONLY else "caseworker"


def test_the_right_person_gets_the_page_and_the_read_is_audited(request, records):
    entry = get_logentry_model()
    users = {name: request.getfixturevalue(_persona_for(name)) for name, _ in OBJECT_PATTERNS}

    def check(named):
        name, pattern = named
        user = users[name]
        before = entry.objects.filter(action=entry.Action.ACCESS, actor=user).count()
        response = client_for(user).get(url_for(name, pattern, records))
        if name in SESSION_BOUND:
            # This client's session kept no such search.
            return None if response.status_code == 404 else f"{name} answered {response.status_code}"
        if response.status_code not in (200, 405):
            return f"{name} answered {response.status_code}"
        if response.status_code == 200:
            after = entry.objects.filter(action=entry.Action.ACCESS, actor=user).count()
            if after <= before:
                return f"{name} wrote no ACCESS entry"
        return None

    assert each_in_its_own_savepoint(check, OBJECT_PATTERNS) == []


def access_entries_of_one_request(user, send):
    """The ACCESS entries ``user`` wrote during ``send()``, as (record type, id, how)."""
    entry = get_logentry_model()
    last = entry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = send()
    written = entry.objects.filter(action=entry.Action.ACCESS, actor=user, pk__gt=last)
    return response, [(e.content_type_id, e.object_pk, (e.additional_data or {}).get("how")) for e in written]


@pytest.mark.parametrize("method", ["get", "post"])
def test_one_request_records_each_record_once(request, records, method):
    """One request writes one ACCESS entry per record it shows or changes (R8): a page and the
    service function behind it never both record the same read."""
    users = {name: request.getfixturevalue(_persona_for(name)) for name, _ in OBJECT_PATTERNS}

    def check(named):
        name, pattern = named
        user = users[name]
        client = client_for(user)
        url = url_for(name, pattern, fresh_import(records, name, request.getfixturevalue("head")))
        response, written = access_entries_of_one_request(user, lambda: getattr(client, method)(url))
        records_seen = [(content_type, pk) for content_type, pk, _ in written]
        duplicates = {record for record in records_seen if records_seen.count(record) > 1}
        return f"{method.upper()} {name} recorded {sorted(written)}" if duplicates else None

    assert each_in_its_own_savepoint(check, OBJECT_PATTERNS) == []


def test_senior_only_pages_refuse_the_caseworker_on_the_case(caseworker, records):
    client = client_for(caseworker)
    for name, pattern in OBJECT_PATTERNS:
        if name in SENIOR_ONLY | SAFEGUARDING_LEAD_ONLY | BREAK_GLASS | HEAD_ONLY:
            assert client.post(url_for(name, pattern, records)).status_code == 404, name


def test_a_malformed_or_unknown_id_is_simply_not_found(as_caseworker):
    assert as_caseworker.get("/cases/not-a-uuid/").status_code == 404
    assert as_caseworker.get("/cases/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert as_caseworker.get("/cases/99999999999999999999999/").status_code == 404


LIST_PAGES = [
    "cases:dashboard",
    "cases:case_list",
    "cases:parent_search",
    "training:study_list",
    "cases:caseloads",
    "staff:staff_accounts",  # the maintainer's: names and roles, no case content
]


@pytest.mark.parametrize("name", LIST_PAGES)
@pytest.mark.parametrize("persona", ["outsider", "second_caseworker", "coordinator", "maintainer"])
def test_lists_show_nothing_of_records_one_may_not_reach(request, records, case, name, persona):
    client = client_for(request.getfixturevalue(persona))
    pages = [client.get(reverse(name)), client.post(reverse(name), {"q": "Sarah Jones"}, follow=True)]
    for response in pages:
        page = response.content.decode()
        assert case.reference not in page
        assert str(case.pk) not in page
        assert "CANARY-ZEBEDEE" not in page
