"""The project's URLs plus /bench/bare/: a view that renders a 20-item template through the project's middleware."""

from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

ITEMS = [{"name": f"Item {n}", "value": n * 7} for n in range(1, 21)]


def bare(request):
    return render(request, "bench/bare.html", {"items": ITEMS})


urlpatterns = [path("bench/bare/", bare), *project_urlpatterns]
