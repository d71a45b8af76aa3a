"""The statistics pages: thin; figures come from ``reports.services.build_report``."""

from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from pps import step_up
from pps.db_router import reading_statistics
from reports import access, exports, services
from reports.forms import PeriodForm, SuppressionRuleForm
from reports.models import StatisticsExport


def _report(request, data):
    if not access.may_see_statistics(request.user):
        raise Http404
    form = PeriodForm(data if data.get("period") else None)
    period = form.period_or_default()
    with reading_statistics():  # from the read replica, when there is one
        return form, services.build_report(request.user.service, period, viewer=request.user)


def statistics(request):
    """Where coordinators land: their service's statistics for the period they pick."""
    form, report = _report(request, request.GET)
    return _page(request, form, report)


def _page(request, form, report, *, rule_form=None, status=200):
    recent = StatisticsExport.objects.visible_to(request.user).select_related("requested_by")[:5]
    if rule_form is None and access.may_set_suppression_rule(request.user):
        service = request.user.service
        rule_form = SuppressionRuleForm(
            initial={"threshold": service.statistics_threshold, "rounding": service.statistics_rounding}
        )
    context = {"form": form, "report": report, "recent_exports": recent, "rule_form": rule_form}
    return render(request, "reports/statistics.html", context, status=status)


@require_POST
def suppression_rule(request):
    """The head of service changes the service's small-number rule (asks for the code again)."""
    if not access.may_set_suppression_rule(request.user):
        raise Http404
    if challenge := step_up.challenge(request):
        return challenge
    rule_form = SuppressionRuleForm(request.POST)
    if rule_form.is_valid():
        services.set_suppression_rule(
            by=request.user,
            service=request.user.service,
            threshold=rule_form.cleaned_data["threshold"],
            rounding=rule_form.cleaned_data["rounding"],
        )
        messages.success(request, "The rule for small numbers is saved. Every table and export uses it now.")
        return redirect("reports:statistics")
    form, report = _report(request, {})
    return _page(request, form, report, rule_form=rule_form, status=400)


@require_POST
def export(request):
    """The statistics as CSV, XLSX, the data file or the printable report: asks for the code
    again if it is older than 15 minutes, is recorded, and is limited to a few a minute."""
    form, report = _report(request, request.POST)
    if challenge := step_up.challenge(request):
        return challenge
    chosen = request.POST.get("format", "")
    if form.is_bound and not form.is_valid():  # never export another period than the one asked for
        return render(request, "reports/statistics.html", {"form": form, "report": report}, status=400)
    if chosen not in StatisticsExport.Format.values:
        return render(
            request,
            "reports/statistics.html",
            {"form": form, "report": report, "format_error": True},
            status=400,
        )
    try:
        services.record_export(by=request.user, report=report, format=chosen)
    except services.RateLimited as error:
        return render(request, "reports/rate_limited.html", {"message": str(error)}, status=429)
    name = f"statistics-{slugify(report.service.short_name)}-{report.period.start}-{report.period.end}"
    if chosen == "csv":
        response = StreamingHttpResponse(exports.csv_lines(report), content_type="text/csv; charset=utf-8")
    elif chosen == "xlsx":
        response = HttpResponse(
            exports.xlsx_bytes(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif chosen == "json":
        response = HttpResponse(exports.data_file(report), content_type="application/json; charset=utf-8")
    else:
        return render(request, "reports/print.html", {"report": report})
    response["Content-Disposition"] = f'attachment; filename="{name}.{chosen}"'
    return response
