"""**Import records**: bring a service's existing records in from an old system's files.

Thin: reads through ``imports.access``, writes through ``imports.services``. The head of
service sees the first rows of a file beside the mapping; a maintainer sees column headers, the
values of the list columns (topics, outcomes, channels...: lists, not about anyone), counts and
row numbers only.
"""

from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from cases import access as cases_access
from cases.models import Case
from consent.services import record_consent_to_keep_details
from imports import access, services, storage
from imports.forms import ColumnsForm, ConsentForm, EncryptingUploadHandler, UploadForm, ValuesForm
from imports.models import ImportRun, ImportSource
from pps.audit import record_access


@csrf_exempt  # checked by the inner view, once the upload handler is in place
def import_list(request):
    """The service's imports, and the form to upload a new file. The file is encrypted as it
    arrives (``EncryptingUploadHandler``), so the upload handler must be set before anything
    reads the request's body: CSRF is checked after that, by ``_import_list``."""
    access.require_importer(request.user)
    run = None
    if request.method == "POST":
        run = services.new_run(by=request.user)
        request.upload_handlers = [EncryptingUploadHandler(request, run)]
    return _import_list(request, run)


@csrf_protect
def _import_list(request, run):
    handler = request.upload_handlers[0] if run is not None else None
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        too_large=bool(handler and handler.too_large),
    )
    if request.method == "POST":
        upload = request.FILES.get("file")
        if form.is_valid():
            try:
                run = services.save_upload(
                    run=run,
                    source_name=form.cleaned_data["source"],
                    stored_name=upload.stored_name,
                    size=upload.size,
                )
            except services.ImportError_ as error:
                form.add_error("file", error)
            else:
                return redirect("imports:import_columns", import_id=run.pk)
        elif upload is not None:
            storage.delete(upload.stored_name)
    runs = list(ImportRun.objects.visible_to(request.user).select_related("source", "uploaded_by")[:50])
    record_access(request.user, runs, how="import list")
    sources = ImportSource.objects.filter(service=request.user.service_id).values_list("name", flat=True)
    return render(request, "imports/import_list.html", {"form": form, "runs": runs, "sources": list(sources)})


def import_columns(request, import_id):
    """Map the file's columns to the product's fields; the head of service sees its first rows."""
    run = access.get_import_for_user(request.user, import_id, how="import columns")
    form = ColumnsForm(request.POST or None, headers=run.headers, initial_mapping=run.column_mapping)
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        problems = services.check_column_mapping(mapping, run.headers)
        for key, message in problems:
            form.add_error(key if key in form.fields else None, message)
        if not problems:
            try:
                services.set_column_mapping(by=request.user, run=run, mapping=mapping)
            except services.ImportError_ as error:
                form.add_error(None, error)
            else:
                return redirect("imports:import_values", import_id=run.pk)
    context = {
        "run": run,
        "form": form,
        "first_rows": services.first_rows(run, by=request.user) if run.stored_name else [],
        "sees_values": access.sees_cell_values(request.user),
    }
    return render(request, "imports/import_columns.html", context)


def import_values(request, import_id):
    """Map the old system's topics, outcomes, channels... to the service's lists: every value
    is listed, and the import waits until each is chosen (or refused)."""
    run = access.get_import_for_user(request.user, import_id, how="import values")
    if run.status == ImportRun.Status.UPLOADED:
        messages.info(request, "Map the columns first.")
        return render(request, "imports/import_values.html", {"run": run, "form": None})
    form = ValuesForm(request.POST or None, run=run)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_value_mapping(by=request.user, run=run, mapping=form.mapping())
        except services.ImportError_ as error:
            form.add_error(None, error)
        else:
            return redirect("imports:import_preview", import_id=run.pk)
    return render(request, "imports/import_values.html", {"run": run, "form": form})


def import_preview(request, import_id):
    """What the import will create, which rows are refused and why, and which parents are
    already in the system (merged, not duplicated): counts and row numbers only."""
    run = access.get_import_for_user(request.user, import_id, how="import preview")
    return render(request, "imports/import_preview.html", {"run": run, "preview": run.preview})


@require_POST
def import_confirm(request, import_id):
    run = access.get_import_for_user(request.user, import_id, how="import confirm")
    try:
        services.confirm(by=request.user, run=run)
    except services.ImportError_ as error:
        messages.error(request, error.messages[0])
        return redirect("imports:import_preview", import_id=run.pk)
    return redirect("imports:import_detail", import_id=run.pk)


def import_detail(request, import_id):
    """The import's progress while it runs (the page refreshes itself), then its report."""
    run = access.get_import_for_user(request.user, import_id, how="import progress")
    context = {
        "run": run,
        "interrupted": services.is_interrupted(run),
        "refresh": run.status in {ImportRun.Status.QUEUED, ImportRun.Status.RUNNING}
        and not services.is_interrupted(run),
        "refusals": sorted(run.refusals, key=lambda refusal: refusal["row"]),
    }
    return render(request, "imports/import_detail.html", context)


@require_POST
def import_resume(request, import_id):
    run = access.get_import_for_user(request.user, import_id, how="import resume")
    try:
        services.resume(by=request.user, run=run)
    except services.ImportError_ as error:
        messages.error(request, error.messages[0])
    return redirect("imports:import_detail", import_id=run.pk)


@require_POST
def import_cancel(request, import_id):
    run = access.get_import_for_user(request.user, import_id, how="import cancel")
    try:
        services.cancel(by=request.user, run=run)
    except services.ImportError_ as error:
        messages.error(request, error.messages[0])
        return redirect("imports:import_detail", import_id=run.pk)
    messages.success(request, "Import cancelled. The uploaded file is deleted.")
    return redirect("imports:import_list")


def consent_record(request, case_id):
    """Record the consent to keep details (R2) that the old system did not record, for a case
    imported without it: anyone who works on the case, at the next contact."""
    case = cases_access.get_case_for_user(request.user, case_id, how="record consent to keep details")
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record_consent_to_keep_details(
            by=request.user,
            parent=case.parent,
            method=form.cleaned_data["method"],
            parent_was_told=case.service.why_we_keep_statement,
        )
        messages.success(request, "Consent to keep details recorded.")
        return redirect("cases:case_detail", case_id=case.pk)
    context = {"case": case, "form": form, "statement": case.service.why_we_keep_statement}
    return render(request, "imports/consent_record.html", context)


def flagged_cases(user):
    """Cases ``user`` works on imported with no consent to keep details recorded."""
    return Case.objects.visible_to(user).filter(consent_not_recorded=True)


SAMPLES = Path(__file__).resolve().parent / "samples"
#: The files a head of service may download from the upload page (made-up records only).
SAMPLE_FILES = {
    "template": "template.csv",
    "sample": "sample.csv",
    "linked-parents": "linked/parents.csv",
    "linked-cases": "linked/cases.csv",
    "linked-contacts": "linked/contacts.csv",
}


def sample_file(request):
    """The import's CSV template and its made-up samples (``?name=``), to download and fill in or
    try: the same files as in ``imports/samples/``. For those who may import."""
    access.require_importer(request.user)
    name = request.GET.get("name", "")
    if name not in SAMPLE_FILES:
        raise Http404
    path = SAMPLES / SAMPLE_FILES[name]
    download = path.name if name in ("template", "sample") else f"linked-{path.name}"
    return FileResponse(path.open("rb"), as_attachment=True, filename=download, content_type="text/csv")
