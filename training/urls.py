from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("training/", views.case_study_list, name="study_list"),
    path("cases/<uuid:case_id>/case-study/", views.case_study_make, name="study_make"),
    path("training/<uuid:case_study_id>/", views.case_study_detail, name="study_detail"),
    path("training/<uuid:case_study_id>/edit/", views.case_study_edit, name="study_edit"),
    path("training/<uuid:case_study_id>/submit/", views.case_study_submit, name="study_submit"),
    path("training/<uuid:case_study_id>/approve/", views.case_study_approve, name="study_approve"),
    path("training/<uuid:case_study_id>/send-back/", views.case_study_send_back, name="study_send_back"),
    path("training/<uuid:case_study_id>/withdraw/", views.case_study_withdraw, name="study_withdraw"),
]
