from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("cases/<uuid:case_id>/documents/add/", views.document_add, name="document_add"),
    path("documents/<uuid:document_id>/", views.document_detail, name="document_detail"),
    path("documents/<uuid:document_id>/download/", views.document_download, name="document_download"),
    path("cases/<uuid:case_id>/letters/new/", views.letter_new, name="letter_new"),
    path("cases/<uuid:case_id>/letters/<uuid:template_id>/", views.letter_write, name="letter_write"),
    path("service/letters/", views.letter_templates, name="letter_templates"),
    path("service/letters/new/", views.letter_template_new, name="letter_template_new"),
    path("service/letters/<uuid:template_id>/", views.letter_template_edit, name="letter_template_edit"),
]
