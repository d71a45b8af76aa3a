"""A URL configuration of its own, for tests/pps/test_links.py."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("elsewhere/<int:number>/", lambda request, number: HttpResponse(), name="only-here")]
