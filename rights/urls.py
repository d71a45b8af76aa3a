from django.urls import path

from rights import views

app_name = "rights"

sar = "access-requests/<uuid:request_id>/"

urlpatterns = [
    path("access-requests/", views.request_list, name="request_list"),
    path("cases/<uuid:case_id>/access-requests/new/", views.request_new, name="request_new"),
    path(sar, views.request_detail, name="request_detail"),
    path(sar + "identity/", views.identity_check, name="identity_check"),
    path(sar + "clock/stop/", views.clock_pause, name="clock_pause"),
    path(sar + "clock/restart/", views.clock_restart, name="clock_restart"),
    path(sar + "extension/", views.extension, name="extension"),
    path(
        sar + "child-protection/<uuid:concern_id>/",
        views.child_protection_decide,
        name="child_protection_decide",
    ),
    path(sar + "child-protection/done/", views.child_protection_done, name="child_protection_done"),
    path(sar + "assemble/", views.assemble, name="assemble"),
    path(sar + "redactions/", views.redact, name="redact"),
    path(sar + "redactions/<uuid:redaction_id>/remove/", views.unredact, name="unredact"),
    path(sar + "approve/", views.approve, name="approve"),
    path(sar + "sent/", views.sent, name="sent"),
    path(sar + "close/", views.close, name="close"),
    path(sar + "refuse/", views.refuse, name="refuse"),
    path(sar + "pack.pdf", views.download, name="download"),
]

legal = "legal-requests/<uuid:legal_id>/"

urlpatterns += [
    path("legal-requests/", views.legal_request_list, name="legal_request_list"),
    path("legal-requests/deputy/", views.legal_request_deputy, name="legal_request_deputy"),
    path("cases/<uuid:case_id>/legal-requests/new/", views.legal_request_new, name="legal_request_new"),
    path(legal, views.legal_request_detail, name="legal_request_detail"),
    path(legal + "permission/", views.legal_permission, name="legal_permission"),
    path(
        legal + "permission/<uuid:consent_id>/",
        views.legal_permission_on_file,
        name="legal_permission_on_file",
    ),
    path(legal + "decline/", views.legal_decline, name="legal_decline"),
    path(legal + "extract/", views.legal_extract, name="legal_extract"),
    path(legal + "send/", views.legal_send, name="legal_send"),
    path(legal + "extract.pdf", views.legal_download, name="legal_download"),
]
