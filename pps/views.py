from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.decorators import method_decorator

from pps.forms import GovukFormMixin


class SignInForm(GovukFormMixin, auth_views.AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active.",
    }


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    template_name = "pps/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True


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
