from django.contrib.auth import views as auth_views
from django.urls import include, path

from pps import views

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("cases.urls")),
]

handler404 = "pps.views.not_found"
handler500 = "pps.views.server_error"
handler403 = "pps.views.forbidden"
handler400 = "pps.views.bad_request"
