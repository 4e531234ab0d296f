from django.contrib import admin
from django.urls import include, path

from santacare.accounts import views as accounts_views
from santacare.core import views as core_views
from santacare.operations import views as operations_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", operations_views.readyz, name="readyz"),
    path("metrics", operations_views.metrics, name="metrics"),
    path("csp-report/", core_views.csp_report, name="csp_report"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    # Before the admin's own: every login goes through allauth (throttling, second factor).
    path("admin/login/", accounts_views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("portal/", include("santacare.portal.urls")),
    path("desk/", include("santacare.desk.urls")),
    path("reports/", include("santacare.reports.urls")),
    path("rma/", include("santacare.rma.urls")),
    path("api/", include("santacare.api.urls")),
]
