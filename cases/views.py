"""Casework pages. Thin: they read through ``cases.access`` and write through ``cases.services``."""

import uuid
from itertools import chain

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import access as cases_access
from cases import case_page, corrections, keep_details, saved_searches, services, timeline
from cases.forms import (
    AssignStaffForm,
    CaseCodesForm,
    CaseContactForm,
    CaseSummaryForm,
    ChildForm,
    ChildFormSet,
    ContactForm,
    CorrectChildForm,
    CorrectParentForm,
    LinkSeparatedParentsForm,
    ParentForm,
    ReasonForm,
    ReferenceItemForm,
    SearchForm,
)
from cases.models import FOLLOW_UP_STILL_TO_DO, Case, Contact, Outcome, Topic, name_topics, with_topic_names
from cases.search import query_tokens
from cases.timeline import case_links
from pps import access, rate_limits, step_up
from pps.audit import HistoryPage, entries_about_case, entries_by_staff_member, record_access
from pps.landing import landing_for
from pps.models import CASE_ROLES, User

CASES_PER_PAGE = 50
#: The dashboard lists at most this many follow-ups, and says so when there are more.
FOLLOW_UPS_SHOWN = 20
#: Beyond this many follow-ups due, the dashboard says "more than" this many.
FOLLOW_UPS_COUNTED = 200


def _uuids(values) -> list[uuid.UUID]:
    """The well-formed UUIDs among ``values`` (anything else is ignored, never an error)."""
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


def _details(form) -> services.ContactDetails:
    data = form.cleaned_data
    return services.ContactDetails(
        occurred_at=data["occurred_at"],
        channel=data["channel"],
        direction=data["direction"],
        person=data.get("person") or Contact.Person.PARENT,
        duration_minutes=data["duration_minutes"],
        topics=list(data["topics"]),
        outcome=data["outcome"],
    )


def dashboard(request):
    """Where a caseworker lands: their open cases, follow-ups due, recent contacts. A coordinator
    is taken to the statistics."""
    user = request.user
    if not access.can_work_on_cases(user):
        # Coordinators land on their service's statistics (``pps.landing``).
        if landing := landing_for(user):
            return redirect(landing)
        return render(request, "cases/dashboard_no_casework.html")
    today = timezone.localdate()
    my_cases = Case.objects.visible_to(user).open()
    if user.role in CASE_ROLES:
        heading = "Your open cases"
    else:
        heading = "Open cases in your service"
    open_cases = list(my_cases.select_related("parent").order_by("-opened_at")[:20])
    open_count = my_cases.count()
    due = (
        Contact.objects.visible_to(user)
        .alias(due_on=FOLLOW_UP_STILL_TO_DO)
        .filter(case__status=Case.Status.OPEN, due_on__lte=today + timezone.timedelta(days=7))
    )
    follow_ups = list(
        due.select_related("case", "case__parent", "logged_by").order_by("due_on")[:FOLLOW_UPS_SHOWN]
    )
    # Counted up to a bound: a service's follow-ups can run to thousands, and "more than 200" is
    # all a dashboard needs to say.
    follow_ups_count = (
        len(follow_ups)
        if len(follow_ups) < FOLLOW_UPS_SHOWN
        else due.order_by()[: FOLLOW_UPS_COUNTED + 1].count()
    )
    # Marked done without JavaScript: shown once more, with its "Undo".
    just_done = None
    if request.GET.get("done"):
        just_done = (
            Contact.objects.visible_to(user)
            .filter(pk__in=_uuids([request.GET["done"]]), case__isnull=False, follow_up_done=True)
            .select_related("case", "case__parent", "logged_by")
            .first()
        )
    recent = list(
        with_topic_names(Contact.objects.visible_to(user).filter(logged_by=user))
        .select_related("case", "case__parent", "outcome")
        .order_by("-occurred_at")[:10]
    )
    name_topics(recent)
    # Imported from an old system with no consent to keep details recorded (R2): recorded at the
    # next contact, which clears the flag.
    consent_missing = list(
        my_cases.filter(consent_not_recorded=True).select_related("parent").order_by("-opened_at")[:20]
    )
    shown_cases = {c.pk: c for c in open_cases}
    for case in consent_missing:
        shown_cases.setdefault(case.pk, case)
    for contact in chain(follow_ups, recent, [just_done] if just_done else []):
        if contact.case:
            shown_cases.setdefault(contact.case.pk, contact.case)
    record_access(user, list(shown_cases.values()), how="dashboard")
    return render(
        request,
        "cases/dashboard.html",
        {
            "heading": heading,
            "open_cases": open_cases,
            "open_count": open_count,
            "consent_missing": consent_missing,
            "follow_ups": follow_ups,
            "follow_ups_count": min(follow_ups_count, FOLLOW_UPS_COUNTED),
            "follow_ups_more": follow_ups_count > FOLLOW_UPS_COUNTED,
            "just_done": just_done,
            "show_whose": user.is_senior,
            "recent": recent,
            "today": today,
            "simple_message": services.simple_message(user) if user.service_id else "",
        },
    )


def log_contact(request):
    """Log a contact with no name given (R1): seconds, and never asks for a name."""
    access.require_casework(request.user)
    service = request.user.service
    form = ContactForm(request.POST or None, service=service, focus_first_answer=True)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.log_nng_contact(by=request.user, details=_details(form))
        except services.CaseworkError as error:
            form.add_error(None, error)
        else:
            if request.POST.get("then") == "add_parent":
                # The parent wants in-depth help: the call becomes the first contact on their
                # case once they agree to their details being kept (R2); until then it is NNG.
                return redirect(f"{reverse('cases:parent_new')}?call={call.pk}")
            messages.success(request, "Contact logged with no name given.")
            return redirect("cases:contact_log")
    return render(request, "cases/contact_log.html", {"form": form, "service": service})


def parent_search(request):
    """Find a parent by name, phone, email or postcode, among the parents one may reach.

    The search is sent by POST, so that names and phone numbers never appear in URLs, histories
    or server logs, then redirected to its results, kept under a random key (``saved_searches``),
    so that Back and refresh work."""
    access.require_casework(request.user)
    form = SearchForm(request.POST or None)
    if form.is_bound and not rate_limits.allow(
        "search", str(request.user.pk), limit=settings.PPS_SEARCHES_PER_MINUTE, per_seconds=60
    ):
        context = {"typed": form.typed(), "limit": settings.PPS_SEARCHES_PER_MINUTE}
        return render(request, "cases/search_too_often.html", context, status=429)
    if form.is_valid() and form.cleaned_data["q"]:
        key = saved_searches.keep(request, form.cleaned_data["q"])
        return redirect("cases:parent_search_results", key=key)
    # Nothing typed, or refused: the box keeps what was typed, with the message saying what is wrong.
    query = form.typed() if form.is_bound else ""
    return render(request, "cases/parent_search.html", {"form": form, "results": None, "query": query})


def parent_search_results(request, key):
    """The results of a search kept under ``key``, run again now (reach may have changed): only
    for the person who searched, for ``saved_searches.KEPT_FOR``. Each parent shown is recorded."""
    access.require_casework(request.user)
    query = saved_searches.recall(request, key)
    if query is None:  # expired, never made, or someone else's: the same answer
        context = {"form": SearchForm(), "results": None, "query": "", "expired": True}
        return render(request, "cases/parent_search.html", context, status=404)
    results = services.find_parents(request.user, query)
    context = {"form": SearchForm(initial={"q": query}), "results": results, "query": query}
    return render(request, "cases/parent_search.html", context)


def _new_parent_initial(query: str) -> dict:
    """Pre-fill a new parent from what was searched for, so nothing typed is lost."""
    initial = {}
    for kind, _ in query_tokens(query):
        if kind == "email":
            initial["email"] = query.strip()
        elif kind == "phone":
            initial["phone"] = query.strip()
        elif kind == "postcode":
            initial["postcode"] = query.strip().upper()
        elif kind == "name":
            words = query.split()
            initial["first_name"] = words[0] if words else ""
            initial["last_name"] = " ".join(words[1:])
            break
    return initial


def parent_new(request):
    """Record consent to keep details (R2), then the parent, their children and their case."""
    access.require_casework(request.user)
    service = request.user.service
    call_id = request.POST.get("call") or request.GET.get("call")
    call = cases_access.get_call_to_carry(request.user, call_id) if call_id else None
    starting_from_search = "from_search" in request.POST
    data = request.POST if request.method == "POST" and not starting_from_search else None
    consent_form = keep_details.form(data, prefix="consent")
    initial = _new_parent_initial(request.POST.get("from_search", "")) if starting_from_search else {}
    parent_form = ParentForm(data, prefix="parent", initial=initial)
    children = ChildFormSet(data, prefix="child")
    case_form = CaseSummaryForm(data, prefix="case")
    if data is not None and "use_parent" in request.POST:
        # The parent is already known: open the case on their record with what was typed.
        existing = cases_access.get_parent_for_user(
            request.user, request.POST["use_parent"], how="use parent"
        )
        if case_form.is_valid():
            case = services.open_case(
                by=request.user, parent=existing, summary=case_form.cleaned_data["summary"]
            )
            messages.success(
                request, f"Case {case.reference} opened on the parent's existing record. Log the contact now."
            )
            return _to_first_contact(case, call)
    if data is not None:
        forms_valid = all(
            [consent_form.is_valid(), parent_form.is_valid(), children.is_valid(), case_form.is_valid()]
        )
        # "Change the details" on the "Is this the same parent?" page: back to the form, as typed.
        if forms_valid and not request.POST.get("change_details"):
            parent = parent_form.save(commit=False)
            duplicates = (
                [] if request.POST.get("confirm_new") else services.possible_duplicates(request.user, parent)
            )
            if duplicates:
                return _is_this_the_same_parent(request, duplicates)
            try:
                case = services.register_parent(
                    by=request.user,
                    consent_confirmed=consent_form.cleaned_data["consent_confirmed"],
                    consent_method=consent_form.cleaned_data["consent_method"],
                    parent=parent,
                    children=[
                        form.save(commit=False)
                        for form in children.forms
                        if form.has_changed() and form.cleaned_data
                    ],
                    case_summary=case_form.cleaned_data["summary"],
                )
            except services.CaseworkError as error:
                parent_form.add_error(None, error)
            else:
                messages.success(
                    request, f"Parent saved and case {case.reference} opened. Log the contact now."
                )
                return _to_first_contact(case, call)
    all_forms = [consent_form, parent_form, *children.forms, case_form]
    return render(
        request,
        "cases/parent_new.html",
        {
            "all_forms": all_forms,
            "has_errors": any(form.errors for form in all_forms) or bool(children.non_form_errors()),
            "consent_form": consent_form,
            "parent_form": parent_form,
            "children": children,
            "case_form": case_form,
            "service": service,
            "call": call,
        },
    )


#: What the "Is this the same parent?" page does not carry back to the form.
_NOT_CARRIED = {"csrfmiddlewaretoken", "use_parent", "confirm_new", "change_details"}


def _is_this_the_same_parent(request, duplicates):
    """Its own page: the parents one may reach who match what was typed, to use one of them, save
    someone new, or go back and change the details. Everything typed is carried in the form."""
    typed = [
        (name, value)
        for name in request.POST
        if name not in _NOT_CARRIED
        for value in request.POST.getlist(name)
    ]
    return render(request, "cases/parent_same.html", {"duplicates": duplicates, "typed": typed})


def _to_first_contact(case, call):
    """Log the first contact on a new case: the call logged with no name given, if there is one."""
    url = reverse("cases:case_contact_log", args=[case.pk])
    return redirect(f"{url}?call={call.pk}" if call else url)


def _call_initial(call) -> dict:
    """The answers of a call logged with no name given, to fill in its form on the case."""
    at = timezone.localtime(call.occurred_at)
    return {
        "date": at.date(),
        "time": at.strftime("%H:%M"),
        "channel": call.channel,
        "direction": call.direction,
        "person": call.person,
        "duration_minutes": call.duration_minutes,
        "topics": [topic.pk for topic in call.topics.all()],
        "outcome": call.outcome_id,
    }


def parent_detail(request, parent_id):
    parent = cases_access.get_parent_for_user(request.user, parent_id)
    cases = Case.objects.visible_to(request.user).filter(parent=parent).order_by("-opened_at")
    # Consents to keep details (R2); consents to share are shown on each case's page.
    consents = parent.consents.filter(keeps_details=True).select_related("recorded_by")
    history = corrections.history_of(parent)
    children = list(parent.children.all())
    for child in children:
        child.history = history.get(child.pk, [])
    context = {"parent": parent, "children": children, "cases": cases, "consents": consents}
    return render(request, "cases/parent_detail.html", {**context, "parent_history": history.get(None, [])})


def parent_edit(request, parent_id):
    """Change the parent's details: a correction, which asks why and keeps the earlier version
    (``cases.corrections``)."""
    parent = cases_access.get_parent_for_user(request.user, parent_id, how="edit parent")
    form = CorrectParentForm(request.POST or None, instance=parent)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            corrections.correct_parent(
                by=request.user,
                parent=form.save(commit=False),
                reason=form.cleaned_data["correction_reason"],
                based_on=form.cleaned_data["version"],
            )
        except services.EditConflict as error:
            conflict = form.conflict(error.current)
            form.add_error(None, error)
        except services.CaseworkError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Parent's details saved.")
            return redirect("cases:parent_detail", parent_id=parent.pk)
    context = {"form": form, "parent": parent, "conflict": conflict}
    return render(request, "cases/parent_edit.html", context)


def child_add(request, parent_id):
    parent = cases_access.get_parent_for_user(request.user, parent_id, how="add child")
    form = ChildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_child(by=request.user, parent=parent, child=form.save(commit=False))
        except services.CaseworkError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Child added.")
            return redirect("cases:parent_detail", parent_id=parent.pk)
    return render(request, "cases/child_form.html", {"form": form, "parent": parent, "child": None})


def child_edit(request, child_id):
    """Change a child's details: a correction, as for the parent's."""
    child = cases_access.get_child_for_user(request.user, child_id, how="edit child")
    parent = child.parent
    form = CorrectChildForm(request.POST or None, instance=child)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            corrections.correct_child(
                by=request.user,
                child=form.save(commit=False),
                reason=form.cleaned_data["correction_reason"],
                based_on=form.cleaned_data["version"],
            )
        except services.EditConflict as error:
            conflict = form.conflict(error.current)
            form.add_error(None, error)
        except services.CaseworkError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Child's details saved.")
            return redirect("cases:parent_detail", parent_id=parent.pk)
    context = {"form": form, "parent": parent, "child": child, "conflict": conflict}
    return render(request, "cases/child_form.html", context)


def case_list(request):
    """Cases one may reach, open first; filter by status."""
    access.require_casework(request.user)
    status = request.GET.get("status", "open")
    cases = Case.objects.visible_to(request.user).select_related("parent")
    if status in Case.Status.values:
        cases = cases.filter(status=status)
    else:
        status = "all"
    cases = cases.order_by("-opened_at")
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    record_access(request.user, list(page.object_list), how="case list")
    return render(request, "cases/case_list.html", {"page": page, "status": status})


def case_detail(request, case_id):
    """The case page: parent, children, and a timeline of contacts and case events."""
    case = cases_access.get_case_for_user(
        request.user, case_id, annotate=case_page.record_kinds(request.user)
    )
    return _case_page(request, case)


def _case_page(request, case, forms=None):
    """The case page for a case fetched (and its read recorded) by the calling view."""
    sections = case_page.sections_of(request.user, case, how="case page")
    shown = _number(request.GET.get("shown"), default=timeline.PAGE_SIZE)
    page = _timeline_page(request.user, case, sections, start=0, count=shown)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "parent": case.parent,
            "children": case.parent.children.all(),
            "timeline": page,
            "case_links": case_links(request.user, case),
            **{name: value for section in sections for name, value in section.context.items()},
            "staff": cases_access.staff_on_case(case),
            # A side form sent with a mistake: its errors are summarised at the top, like any form's.
            "side_forms_with_errors": [form for form in (forms or {}).values() if form.errors],
            "reason_form": ReasonForm(),
            "codes_form": (forms or {}).get("codes_form")
            or CaseCodesForm(
                initial={
                    "intervention_level": case.intervention_level,
                    "referral_source": case.referral_source,
                }
            ),
            **_senior_case_context(request.user, case, **(forms or {})),
        },
    )


def _number(text, *, default: int) -> int:
    try:
        return max(1, min(int(text), timeline.MOST_SHOWN))
    except (TypeError, ValueError):
        return default


def _timeline_page(user, case, sections, *, start: int, count: int):
    """A page of the case's timeline: its sources (``cases.timeline``) and what the page's
    sections (``cases.case_page``) have loaded anyway, merged, newest first."""
    also = [entry for section in sections for entry in section.entries]
    page = timeline.page_of(user, case, start=start, count=count, also=also)
    contacts = [entry.item for entry in page.entries if entry.kind == "contact"]
    for section in sections:
        if section.with_contacts is not None:
            section.with_contacts(contacts)
    corrections.with_history(user, case, contacts)
    return page


def case_timeline(request, case_id):
    """Older entries of a case's timeline, for "Show older" (htmx; without JavaScript the link
    opens the case page with more entries)."""
    case = cases_access.get_case_for_user(
        request.user, case_id, how="case timeline", annotate=case_page.record_kinds(request.user)
    )
    start = _number(request.GET.get("start"), default=timeline.PAGE_SIZE)
    sections = case_page.sections_of(request.user, case, how="case timeline")
    page = _timeline_page(request.user, case, sections, start=start, count=timeline.PAGE_SIZE)
    context = {"case": case, "timeline": page, "first": start}
    return render(request, "cases/includes/timeline_entries.html", context)


def _senior_case_context(user, case, **forms) -> dict:
    """What only senior staff see on a case page: assignment and the separated-parents link."""
    if not user.is_senior:
        return {}
    return {
        "assign_form": forms.get("assign_form") or AssignStaffForm(case=case),
        "link_form": forms.get("link_form") or LinkSeparatedParentsForm(),
        "linked_cases": cases_access.separated_parent_cases(case).select_related("parent"),
    }


def _render_case_with(request, case, **forms):
    """The case page again, with a senior's form and its errors (after a refused action)."""
    return _case_page(request, case, forms=forms)


@require_POST
def case_assign(request, case_id):
    """Senior staff put a caseworker or volunteer on a case."""
    access.require_senior(request.user)
    case = cases_access.get_case_for_user(request.user, case_id, how="assign staff")
    if challenge := step_up.challenge(request):  # a change of who may reach the case
        return challenge
    form = AssignStaffForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.assign_staff(by=request.user, case=case, staff=form.cleaned_data["staff"])
        except services.CaseworkError as error:
            form.add_error("staff", error)
        else:
            messages.success(request, f"{form.cleaned_data['staff'].display_name} is now on this case.")
            return redirect("cases:case_detail", case_id=case.pk)
    return _render_case_with(request, case, assign_form=form)


@require_POST
def case_codes(request, case_id):
    """Set the case's intervention level and referral source (codes for statistics, R15)."""
    case = cases_access.get_case_for_user(request.user, case_id, how="set case codes")
    form = CaseCodesForm(request.POST)
    if form.is_valid():
        try:
            services.set_case_codes(
                by=request.user,
                case=case,
                intervention_level=form.cleaned_data["intervention_level"],
                referral_source=form.cleaned_data["referral_source"],
            )
        except services.CaseworkError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Intervention level and referral source saved.")
            return redirect("cases:case_detail", case_id=case.pk)
    return _render_case_with(request, case, codes_form=form)


@require_POST
def case_unassign(request, case_id, user_id):
    """Senior staff take someone off a case; they lose access at once."""
    access.require_senior(request.user)
    case = cases_access.get_case_for_user(request.user, case_id, how="unassign staff")
    member = access.get_or_404(cases_access.staff_on_case(case), user_id)
    if challenge := step_up.challenge(request):
        return challenge
    services.unassign_staff(by=request.user, case=case, staff=member)
    messages.success(request, f"{member.display_name} is no longer on this case.")
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
def case_link(request, case_id):
    """Senior staff link two cases as the separated parents of the same child (R5)."""
    access.require_senior(request.user)
    case = cases_access.get_case_for_user(request.user, case_id, how="link separated parents")
    form = LinkSeparatedParentsForm(request.POST)
    if form.is_valid():
        other = Case.objects.visible_to(request.user).filter(reference=form.cleaned_data["reference"]).first()
        if other is None:
            form.add_error("reference", "No case of your service has that reference")
        else:
            record_access(request.user, [other], how="link separated parents")
            try:
                services.link_separated_parents(by=request.user, case=case, other=other)
            except services.CaseworkError as error:
                form.add_error("reference", error)
            else:
                messages.success(request, f"Linked with case {other.reference}, the other parent.")
                return redirect("cases:case_detail", case_id=case.pk)
    return _render_case_with(request, case, link_form=form)


def case_contact_log(request, case_id):
    case = cases_access.get_case_for_user(request.user, case_id, how="log contact")
    call_id = request.POST.get("call") or request.GET.get("call")
    call = cases_access.get_call_to_carry(request.user, call_id) if call_id else None
    initial = _call_initial(call) if call else {}
    form = CaseContactForm(request.POST or None, service=case.service, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.log_case_contact(
                by=request.user,
                case=case,
                details=_details(form),
                notes=form.cleaned_data["notes"],
                follow_up_on=form.cleaned_data["follow_up_on"],
                carrying=call,
            )
        except services.CaseworkError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Contact logged.")
            return redirect("cases:case_detail", case_id=case.pk)
    context = {
        "form": form,
        "case": case,
        "parent": case.parent,
        "call": call,
        "simple_message": services.simple_message(request.user),
    }
    return render(request, "cases/case_contact_log.html", context)


def _case_status_change(request, case_id, action, template):
    case = cases_access.get_case_for_user(request.user, case_id, how=template)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action(by=request.user, case=case, reason=form.cleaned_data["reason"])
        except services.CaseworkError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Case {case.reference} {'closed' if template == 'close case' else 'reopened'}."
            )
            return redirect("cases:case_detail", case_id=case.pk)
    return render(
        request,
        "cases/case_status_change.html",
        {"form": form, "case": case, "closing": template == "close case"},
    )


def case_close(request, case_id):
    return _case_status_change(request, case_id, services.close_case, "close case")


def case_reopen(request, case_id):
    return _case_status_change(request, case_id, services.reopen_case, "reopen case")


def case_open(request, parent_id):
    """Open another case for a parent one may reach."""
    parent = cases_access.get_parent_for_user(request.user, parent_id, how="open case")
    form = CaseSummaryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_case(by=request.user, parent=parent, summary=form.cleaned_data["summary"])
        except services.CaseworkError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Case {case.reference} opened.")
            return redirect("cases:case_detail", case_id=case.pk)
    return render(request, "cases/case_open.html", {"form": form, "parent": parent})


def _follow_up_answer(request, contact):
    """After marking a follow-up done (or undoing it): from the dashboard's htmx button, the
    follow-up's own line, swapped in place; otherwise back to the page it was marked on."""
    if request.headers.get("HX-Request"):
        context = {
            "contact": contact,
            "today": timezone.localdate(),
            "simple_message": services.simple_message(request.user),
            "show_whose": request.user.is_senior,
        }
        return render(request, "cases/includes/follow_up_item.html", context)
    if request.POST.get("return_to") == "case" and contact.case_id:
        return redirect("cases:case_detail", case_id=contact.case_id)
    if contact.follow_up_done:
        return redirect(f"{reverse('cases:dashboard')}?done={contact.pk}")
    return redirect("cases:dashboard")


@require_POST
def follow_up_done(request, contact_id):
    contact = cases_access.get_contact_for_user(request.user, contact_id, how="follow-up")
    try:
        services.mark_follow_up_done(by=request.user, contact=contact)
    except services.CaseworkError as error:
        messages.error(request, error.message)
    else:
        if not request.headers.get("HX-Request"):
            messages.success(request, "Follow-up marked as done.")
    return _follow_up_answer(request, contact)


@require_POST
def follow_up_undo(request, contact_id):
    """A follow-up marked done by mistake is due again."""
    contact = cases_access.get_contact_for_user(request.user, contact_id, how="follow-up")
    try:
        services.undo_follow_up_done(by=request.user, contact=contact)
    except services.CaseworkError as error:
        messages.error(request, error.message)
    else:
        if not request.headers.get("HX-Request"):
            messages.success(request, "The follow-up is due again.")
    return _follow_up_answer(request, contact)


def reference_data(request):
    """Senior staff keep their service's lists of topics and outcomes."""
    access.require_senior(request.user)
    service = request.user.service
    form = ReferenceItemForm(request.POST or None)
    model = {"topic": Topic, "outcome": Outcome}.get(request.POST.get("list", ""))
    if request.method == "POST" and "toggle" in request.POST and model:
        item = access.get_or_404(model.objects.filter(service=service), request.POST["toggle"])
        services.set_reference_item_active(by=request.user, item=item, active=not item.is_active)
        return redirect("cases:reference_data")
    if request.method == "POST" and model and form.is_valid():
        try:
            services.add_reference_item(by=request.user, model=model, name=form.cleaned_data["name"])
        except services.CaseworkError as error:
            form.add_error("name", error)
        else:
            messages.success(request, "Added.")
            return redirect("cases:reference_data")
    return render(
        request,
        "cases/reference_data.html",
        {
            "form": form,
            "lists": [
                ("topic", Topic.objects.filter(service=service), "Topics"),
                ("outcome", Outcome.objects.filter(service=service), "Outcomes"),
            ],
            "posted_list": request.POST.get("list", ""),
        },
    )


AUDIT_ENTRIES_PER_PAGE = 100


def case_access_log(request, case_id):
    """Who has accessed this case and its records, and when (R8). Senior staff only; audited."""
    access.require_senior(request.user)
    case = cases_access.get_case_for_user(request.user, case_id, how="access history")
    entries = entries_about_case(case, request.user)
    page = HistoryPage(entries, request.GET.get("older"), AUDIT_ENTRIES_PER_PAGE)
    return render(request, "cases/case_access_log.html", {"case": case, "page": page})


def staff_access_log(request, user_id):
    """What one member of staff has opened or changed (R8). Senior staff only; audited."""
    access.require_senior(request.user)
    member = access.get_staff_for_user(request.user, user_id, how="staff access history")
    entries = entries_by_staff_member(member, request.user)
    page = HistoryPage(entries, request.GET.get("older"), AUDIT_ENTRIES_PER_PAGE)
    return render(request, "cases/staff_access_log.html", {"member": member, "page": page})


def staff_list(request):
    """The staff of one's service, for senior staff: roles and links to access histories."""
    access.require_senior(request.user)
    members = User.objects.filter(service_id=request.user.service_id).order_by("-is_active", "first_name")
    context = {"members": members}
    context["may_publish_policy"] = access.may_publish_policy(request.user)
    context["may_change_settings"] = access.may_change_service_settings(request.user)
    return render(request, "cases/staff_list.html", context)
