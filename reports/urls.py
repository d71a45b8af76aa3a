from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export/", views.export, name="statistics_export"),
    path("statistics/rule/", views.suppression_rule, name="statistics_rule"),
]
