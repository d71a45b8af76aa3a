from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.utils.decorators import method_decorator

from pps import menu, session_limits
from pps.forms import PASSWORD_MAX_LENGTH, GovukFormMixin
from pps.requests import url_with_next


class SignInForm(GovukFormMixin, auth_views.AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active.",
    }

    # Bounded here: Django's form only sets the browser's maxlength from the model, and checks no
    # length on the server, so a long username reached django-axes' 255-character column.
    username = auth_forms.UsernameField(
        label="Username",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
        error_messages={
            "max_length": "A username has at most 150 characters",
            "required": "Enter your username",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={
            "max_length": f"A password has at most {PASSWORD_MAX_LENGTH} characters",
            "required": "Enter your password",
        },
    )


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    template_name = "pps/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        session_limits.start(self.request)
        return response

    def get_success_url(self):
        """After the password comes the second factor, then wherever the person was going."""
        return url_with_next("otp_verify", super().get_success_url())


def locked_out(request, original_response=None, credentials=None):
    """Too many failed sign-ins (django-axes). The same page whoever was named: no hint whether
    the username exists."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "pps/locked_out.html", {"minutes": minutes}, status=429)


@login_not_required
def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@login_not_required
def server_error(request):
    return render(request, "errors/500.html", status=500)


@login_not_required
def forbidden(request, exception=None):
    return render(request, "errors/403.html", status=403)


@login_not_required
def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def manage(request):
    """ "Manage the service": the pages that look after the service rather than its cases, as the
    apps that own them offer them (``pps.menu``). Nobody is offered any: not found."""
    entries = menu.entries_for(request.user)
    if not entries:
        raise Http404
    return render(request, "pps/manage.html", {"entries": entries})
