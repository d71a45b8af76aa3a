"""Training case studies. Thin: reads through ``training.access``, writes through
``training.services``."""

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases import access as cases_access
from pps import access as pps_access
from pps import step_up
from pps.audit import record_access
from training import access, services
from training.anonymise import highlight
from training.forms import ApproveForm, CaseStudyEditForm, SendBackForm, SubmitForm
from training.models import CaseStudy


def case_study_list(request):
    """**Training**: the approved case studies of the service; for senior staff also those
    waiting for approval and their own drafts."""
    if not access.may_read_training(request.user):
        raise Http404
    studies = list(CaseStudy.objects.visible_to(request.user).select_related("made_by"))
    record_access(request.user, studies, how="training list")
    context = {
        "approved": [s for s in studies if s.status == CaseStudy.Status.APPROVED],
        "waiting": [s for s in studies if s.status == CaseStudy.Status.SUBMITTED],
        "drafts": [s for s in studies if s.status == CaseStudy.Status.DRAFT],
        "may_make": access.may_make_case_studies(request.user),
    }
    return render(request, "training/case_study_list.html", context)


@require_POST
def case_study_make(request, case_id):
    """Make a draft case study from a case (senior staff), then check it."""
    pps_access.require_senior(request.user)
    case = cases_access.get_case_for_user(request.user, case_id, how="make training case study")
    study = services.make_case_study(by=request.user, case=case)
    messages.success(
        request,
        "Draft case study made. Check every highlighted word before you submit it. "
        "The case itself is unchanged.",
    )
    return redirect("training:study_edit", case_study_id=study.pk)


def _parts_with_highlights(study):
    content = study.study
    return {
        "title": content.get("title", ""),
        "family": highlight(content.get("family", "")),
        "summary": highlight(content.get("summary", "")),
        "entries": [
            {**entry, "parts": highlight(entry.get("text", ""))} for entry in content.get("entries", [])
        ],
        "ending": content.get("ending", ""),
        "discussion": highlight(content.get("discussion", "")),
    }


def case_study_detail(request, case_study_id):
    """One case study: as staff read it once approved; to senior staff before that with what
    still needs checking highlighted."""
    study = access.get_case_study_for_user(request.user, case_study_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _detail_page(request, study)


def _detail_page(request, study, *, approve_form=None, send_back_form=None, status=200):
    reviewing = not study.is_approved
    context = {
        "study": study,
        "content": _parts_with_highlights(study),
        "reviewing": reviewing,
        "checks": services.checks_left(study) if reviewing else 0,
        "may_approve": CaseStudy.objects.to_approve_by(request.user).filter(pk=study.pk).exists(),
        "may_edit": study.status == CaseStudy.Status.DRAFT and study.made_by_id == request.user.pk,
        "may_withdraw": access.may_make_case_studies(request.user) and study.status != CaseStudy.Status.DRAFT,
        "approve_form": approve_form or ApproveForm(),
        "send_back_form": send_back_form or SendBackForm(),
        "events": _history(request.user, study),
    }
    return render(request, "training/case_study_detail.html", context, status=status)


def _history(user, study) -> list:
    """The case study's own history, for senior staff only."""
    if not user.is_senior:
        return []
    events = list(study.events.select_related("by"))
    for event in events:
        event.use_household_key(study.household_key())  # the study's key: no query per event
    return events


def case_study_edit(request, case_study_id):
    """The maker checks and edits their draft, with what may still identify someone highlighted."""
    study = access.get_case_study_for_editing(request.user, case_study_id)
    entries = study.study.get("entries", [])
    if request.method == "POST":
        form = CaseStudyEditForm(request.POST, entries=entries)
        if form.is_valid():
            try:
                changed = services.edit_case_study(by=request.user, study=study, parts=form.cleaned_data)
            except services.CaseStudyError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Changes saved." if changed else "Nothing was changed.")
                return redirect("training:study_edit", case_study_id=study.pk)
    else:
        form = CaseStudyEditForm(initial=services.editable_parts(study), entries=entries)
    return _edit_page(request, study, form)


def _edit_page(request, study, form, submit_form=None):
    content = _parts_with_highlights(study)
    context = {
        "study": study,
        "form": form,
        "content": content,
        "entries": [
            (entry, form[f"entry_{number}"] if f"entry_{number}" in form.fields else None)
            for number, entry in enumerate(content["entries"])
        ],
        "checks": services.checks_left(study),
        "submit_form": submit_form or SubmitForm(),
    }
    return render(request, "training/case_study_edit.html", context)


@require_POST
def case_study_submit(request, case_study_id):
    """Save the maker's last edits, then send the draft for a second senior person's approval."""
    study = access.get_case_study_for_editing(request.user, case_study_id, how="submit training case study")
    entries = study.study.get("entries", [])
    form = CaseStudyEditForm(request.POST, entries=entries)
    submit_form = SubmitForm(request.POST)
    submit_form.is_valid()
    if not form.is_valid():
        return _edit_page(request, study, form, submit_form=submit_form)
    try:
        services.edit_case_study(by=request.user, study=study, parts=form.cleaned_data)
        services.submit_case_study(
            by=request.user, study=study, checked=submit_form.cleaned_data.get("checked", False)
        )
    except services.CaseStudyError as error:
        submit_form.add_error("checked", error.message)
        return _edit_page(
            request, study, CaseStudyEditForm(request.POST, entries=entries), submit_form=submit_form
        )
    messages.success(request, "Submitted. Another senior manager or the head of service must approve it.")
    return redirect("training:study_detail", case_study_id=study.pk)


@require_POST
def case_study_approve(request, case_study_id):
    """A second senior person approves: the service's staff can read it from now on."""
    study = access.get_case_study_for_approval(request.user, case_study_id)
    if challenge := step_up.challenge(request):
        return challenge
    form = ApproveForm(request.POST)
    form.is_valid()
    try:
        services.approve_case_study(
            by=request.user, study=study, checked=form.cleaned_data.get("checked", False)
        )
    except services.CaseStudyError as error:
        form.add_error("checked", error.message)
        return _detail_page(request, study, approve_form=form)
    messages.success(request, "Approved. It is now listed under Training for the service's staff.")
    return redirect("training:study_detail", case_study_id=study.pk)


@require_POST
def case_study_send_back(request, case_study_id):
    """A second senior person sends it back to its maker, saying what needs changing."""
    study = access.get_case_study_for_approval(
        request.user, case_study_id, how="send back training case study"
    )
    form = SendBackForm(request.POST)
    if form.is_valid():
        try:
            services.send_back_case_study(by=request.user, study=study, note=form.cleaned_data["note"])
        except services.CaseStudyError as error:
            form.add_error("note", error.message)
        else:
            messages.success(request, "Sent back to the person who made it, with your note.")
            return redirect("training:study_list")
    return _detail_page(request, study, send_back_form=form)


@require_POST
def case_study_withdraw(request, case_study_id):
    """Withdraw a case study from training (senior staff), or discard one's own draft: its text
    is destroyed."""
    study = access.get_case_study_for_withdrawal(request.user, case_study_id)
    was_draft = study.status == CaseStudy.Status.DRAFT
    try:
        services.withdraw_case_study(by=request.user, study=study)
    except services.CaseStudyError as error:
        messages.error(request, error.message)
        return redirect("training:study_list")
    messages.success(request, "Draft discarded." if was_draft else "Withdrawn. Nobody can read it any more.")
    return redirect("training:study_list")
