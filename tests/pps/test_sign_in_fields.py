"""Every box of signing in and of resetting a password takes a bounded length: too long is a
message at the box, never a 500 (django-axes stores the username in a 255-character column)."""

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from pps.forms import PASSWORD_MAX_LENGTH


@pytest.fixture(autouse=True)
def no_requests_counted_yet(db):
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("length", [151, 256, 300, 5000])
def test_a_long_username_is_a_message_at_the_box(db, length):
    response = Client().post(reverse("login"), {"username": "u" * length, "password": "p"})
    assert response.status_code == 200
    assert "A username has at most 150 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()  # nothing reached the sign-in lock-out's table


def test_a_long_password_is_a_message_at_the_box(caseworker):
    typed = "p" * (PASSWORD_MAX_LENGTH + 1)
    response = Client().post(reverse("login"), {"username": caseworker.username, "password": typed})
    assert response.status_code == 200
    assert f"A password has at most {PASSWORD_MAX_LENGTH} characters" in response.content.decode()


def test_a_long_account_on_the_forgotten_password_page_is_a_message(db):
    response = Client().post(reverse("password_reset"), {"account": "a" * 300})
    assert response.status_code == 200
    assert "has at most 254 characters" in response.content.decode()


def test_the_unlock_and_new_password_boxes_are_bounded():
    from pps.password_reset import NewPasswordForm
    from pps.sign_in import PasswordForm

    assert PasswordForm().fields["password"].max_length == PASSWORD_MAX_LENGTH
    form = NewPasswordForm(None)
    assert form.fields["new_password1"].max_length == PASSWORD_MAX_LENGTH
    assert form.fields["new_password2"].max_length == PASSWORD_MAX_LENGTH
