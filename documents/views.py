"""Documents and letters pages. Thin: reads through ``documents.access``, writes through
``documents.services``. Uploads are read by ``documents.uploads.CappedUploadHandler``."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from cases import access as cases_access
from cases import timeline
from cases.case_page import has_records
from documents import access, filecheck, services, uploads
from documents.forms import AttachForm, ChooseLetterForm, LetterForm, LetterTemplateForm
from documents.letters import PLACEHOLDERS, fill, values_for
from documents.models import Document, LetterTemplate
from pps.audit import record_access

# The case page ---------------------------------------------------------------------------------


def timeline_entries(user, case, limit) -> list:
    """The case's newest ``limit`` documents on its timeline (``cases.timeline``), each read
    recorded."""
    if not has_records(user, case, "documents"):
        return []
    documents = list(
        timeline.ordered_for_timeline(
            cases_access.records_on_case(Document.objects, user, case).select_related("added_by"),
            "added_at",
            "added_at",
        )[:limit]
    )
    key = case.household_key() if documents else None
    for document in documents:
        document.use_household_key(key)
    record_access(user, documents, how="case page")
    return [
        timeline.Entry("document", d.added_at, d.added_at, d, "documents/includes/timeline_entry.html")
        for d in documents
    ]


def case_links(user, case) -> list:
    links = [("Write a letter to the parent", reverse("documents:letter_new", args=[case.pk]))]
    if case.is_open:
        links.insert(0, ("Attach documents", reverse("documents:document_add", args=[case.pk])))
    return links


# Attaching -------------------------------------------------------------------------------------


def _cap_words(cap: int) -> str:
    return f"{cap // services.MEGABYTE} MB"


@csrf_exempt  # checked by _attach, once the upload handler is in place (Django's documented way)
def document_add(request, case_id):
    """Attach one or more documents to a case. The access check comes first; then a request
    declaring a body larger than ``MAX_FILES`` files at the cap is refused before it is read, and
    each file is dropped as soon as it passes the cap."""
    case = cases_access.get_case_for_user(request.user, case_id, how="attach documents")
    cap = services.max_bytes(case.service)
    if request.method == "POST":
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > uploads.request_limit(cap):
            message = (
                f"The files together are too large. Each file may be up to {_cap_words(cap)}, "
                f"and up to {uploads.MAX_FILES} files at a time."
            )
            return _attach_page(request, case, AttachForm(), cap, file_errors=[message], status=413)
        handler = uploads.CappedUploadHandler(cap, request)
        request.upload_handlers = [handler]
        return _attach(request, case, cap, handler)
    return _attach_page(request, case, AttachForm(), cap)


@csrf_protect
def _attach(request, case, cap, handler):
    form = AttachForm(request.POST)
    files = request.FILES.getlist("files")
    file_errors = []
    if handler.too_big:
        names = ", ".join(f"“{name}”" for name in handler.too_big)
        file_errors.append(
            f"{names}: larger than {_cap_words(cap)}. Attach a file of up to {_cap_words(cap)}."
        )
    if handler.seen > uploads.MAX_FILES:
        file_errors.append(f"Attach up to {uploads.MAX_FILES} files at a time.")
    if not files and not file_errors:
        file_errors.append("Choose a file to attach")
    if form.is_valid() and not file_errors:
        try:
            documents = services.attach_documents(
                by=request.user,
                case=case,
                uploads=[services.read_upload(f) for f in files],
                kind=form.cleaned_data["kind"],
                dated=form.cleaned_data["dated"],
                title=form.cleaned_data["title"],
            )
        except filecheck.FileRefused as error:
            file_errors.append(str(error))
        except services.DocumentError as error:
            form.add_error(None, str(error))
        else:
            count = len(documents)
            messages.success(request, "Document attached." if count == 1 else f"{count} documents attached.")
            return redirect("cases:case_detail", case_id=case.pk)
    return _attach_page(request, case, form, cap, file_errors=file_errors)


def _attach_page(request, case, form, cap, *, file_errors=(), status=200):
    context = {
        "case": case,
        "form": form,
        "file_errors": list(file_errors),
        "cap": _cap_words(cap),
        "max_files": uploads.MAX_FILES,
        "accept": filecheck.ACCEPT,
    }
    return render(request, "documents/document_add.html", context, status=status)


# Reading ---------------------------------------------------------------------------------------


def document_detail(request, document_id):
    document = access.get_document_for_user(request.user, document_id)
    return render(request, "documents/document_detail.html", {"document": document, "case": document.case})


def document_download(request, document_id):
    """The file, as an attachment under its original name, never shown in the browser."""
    document = access.get_document_for_user(request.user, document_id, how="document download")
    try:
        data = services.read_document(document)
    except services.DocumentError as error:
        messages.error(request, str(error))
        return redirect("documents:document_detail", document_id=document.pk)
    return file_response(data, document.content_type, document.file_name)


def file_response(data: bytes, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'none'"
    )
    response["Content-Length"] = str(len(data))
    response._csp_exempt = True  # django-csp: keep the sandboxing policy set here
    return response


# Letters ---------------------------------------------------------------------------------------


def letter_new(request, case_id):
    """Choose the letter to write; a parent who agreed only to simple messages is warned of first."""
    case = cases_access.get_case_for_user(request.user, case_id, how="write a letter")
    templates = services.templates_for(case.service).filter(is_active=True)
    simple_only = services.only_simple_messages(case)
    form = ChooseLetterForm(request.POST or None, templates=templates)
    if request.method == "POST" and form.is_valid():
        if simple_only and not form.cleaned_data["simple_messages_checked"]:
            form.add_error(
                "simple_messages_checked",
                "This parent agreed only to simple messages: confirm that you checked a letter is all right",
            )
        else:
            url = reverse("documents:letter_write", args=[case.pk, form.cleaned_data["template"].pk])
            return redirect(url + ("?checked=1" if simple_only else ""))
    context = {"case": case, "form": form, "simple_only": simple_only}
    return render(request, "documents/letter_new.html", context)


def letter_write(request, case_id, template_id):
    """The letter filled in from the case, to edit; PDF or Word makes it, keeps it on the case as
    a letter sent, and downloads it."""
    case = cases_access.get_case_for_user(request.user, case_id, how="write a letter")
    template = access.get_letter_template_for_user(request.user, template_id)
    checked = request.GET.get("checked") == "1"
    initial = {
        "text": fill(template.body, values_for(case=case, by=request.user)),
        "simple_messages_checked": checked,
    }
    form = LetterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            document, data = services.send_letter(
                by=request.user,
                case=case,
                template=template,
                text=form.cleaned_data["text"],
                file_format=request.POST.get("format", ""),
                simple_messages_checked=form.cleaned_data["simple_messages_checked"],
                how=form.cleaned_data["how"] or "post",
            )
        except services.DocumentError as error:
            form.add_error(None, str(error))
        else:
            return file_response(data, document.content_type, document.file_name)
    context = {
        "case": case,
        "template": template,
        "form": form,
        "is_statement": template.purpose == LetterTemplate.Purpose.STATEMENT,
    }
    return render(request, "documents/letter_write.html", context)


# Letter templates (senior staff) ------------------------------------------------------------------


def letter_templates(request):
    if not access.may_edit_letter_templates(request.user):
        raise Http404
    templates = services.templates_for(request.user.service)
    return render(request, "documents/letter_templates.html", {"templates": templates})


def letter_template_new(request):
    if not access.may_edit_letter_templates(request.user):
        raise Http404
    return _template_form(request, None)


def letter_template_edit(request, template_id):
    template = access.get_letter_template_for_user(request.user, template_id, editing=True)
    return _template_form(request, template)


def _template_form(request, template):
    initial = (
        {
            "name": template.name,
            "purpose": template.purpose,
            "body": template.body,
            "is_active": template.is_active,
        }
        if template
        else {"purpose": LetterTemplate.Purpose.OTHER, "is_active": True}
    )
    form = LetterTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_letter_template(
                by=request.user,
                service=request.user.service,
                template=template,
                name=form.cleaned_data["name"],
                body=form.cleaned_data["body"],
                purpose=form.cleaned_data["purpose"],
                is_active=form.cleaned_data["is_active"],
            )
        except services.DocumentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Letter saved.")
            return redirect("documents:letter_templates")
    context = {"form": form, "template": template, "placeholders": PLACEHOLDERS.items()}
    return render(request, "documents/letter_template_form.html", context)
