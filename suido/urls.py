from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("staff.urls")),
    path("", include("customers.urls")),
    path("", include("servicedesk.urls")),
    path("", include("metering.urls")),
    path("", include("billing.urls")),
    path("", include("proactive.urls")),
    path("", include("collection.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
