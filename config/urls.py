from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("", include("accounts.urls")),
    path("programmes/", include("placements.urls")),
    path("", include("surveys.urls")),
    path("health/", core_views.health, name="health"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

admin.site.site_header = "Police work experience — administration"
admin.site.site_title = "Work experience admin"
