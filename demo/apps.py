from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for every app (``manage.py load_demo_data``): fake services, staff, parents and
    their records. It is the last app: it may import every other, and none imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = "Demo data"
