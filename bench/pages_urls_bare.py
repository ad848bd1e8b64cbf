"""URLs of bench/bare_settings.py: the bare view only."""

from django.shortcuts import render
from django.urls import path

ITEMS = [{"name": f"Item {n}", "value": n * 7} for n in range(1, 21)]


def bare(request):
    return render(request, "bench/bare.html", {"items": ITEMS})


urlpatterns = [path("bench/bare/", bare)]
