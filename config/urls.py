from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("sso.urls")),
    path("", include("placements.urls")),
    path("", include("schools.urls")),
    path("", include("schools.public_urls")),
    path("mentoring/", include("mentoring.urls")),
    path("certificates/", include("certificates.urls")),
    path("verify/", include("certificates.verify_urls")),
    path("", include("surveys.urls")),
    path("", include("communications.urls")),
    path("", include("communications.public_urls")),
    path("", include("partners.urls")),
    path("", include("events.urls")),
    path("", include("events.public_urls")),
    path("messages/", include("communications.message_urls")),
    # The language switch on public pages (Django's set_language: a POST that sets the language cookie).
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", core_views.health, name="health"),
    path("audit/", core_views.audit_trail, name="audit_trail"),
    path("", include("reports.urls")),
    path("students/", include("privacy.urls")),
    path("", include("privacy.public_urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
