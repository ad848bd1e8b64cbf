"""The project's URLs plus a view that fails, to see the page a fault shows (tests/core/test_error_pages.py)."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def broken(request):
    raise RuntimeError("A fault for the error-page test.")


urlpatterns = [*project_urlpatterns, path("broken/", broken)]
