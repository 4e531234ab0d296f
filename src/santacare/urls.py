from django.contrib import admin
from django.urls import include, path

from santacare.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("portal/", include("santacare.portal.urls")),
    path("desk/", include("santacare.desk.urls")),
    path("reports/", include("santacare.reports.urls")),
    path("rma/", include("santacare.rma.urls")),
    path("api/", include("santacare.api.urls")),
]
