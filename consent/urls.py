from django.urls import path

from consent import views

app_name = "consent"

urlpatterns = [
    path("cases/<uuid:case_id>/consents/new/", views.consent_record, name="consent_record"),
    path("consents/<uuid:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("cases/<uuid:case_id>/disclosures/new/", views.disclosure_record, name="disclosure_record"),
]
