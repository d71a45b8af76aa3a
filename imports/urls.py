from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/sample/", views.sample_file, name="sample_file"),
    path("imports/<uuid:import_id>/", views.import_detail, name="import_detail"),
    path("imports/<uuid:import_id>/columns/", views.import_columns, name="import_columns"),
    path("imports/<uuid:import_id>/values/", views.import_values, name="import_values"),
    path("imports/<uuid:import_id>/preview/", views.import_preview, name="import_preview"),
    path("imports/<uuid:import_id>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<uuid:import_id>/resume/", views.import_resume, name="import_resume"),
    path("imports/<uuid:import_id>/cancel/", views.import_cancel, name="import_cancel"),
    path("cases/<uuid:case_id>/consent-to-keep-details/", views.consent_record, name="consent_record"),
]
