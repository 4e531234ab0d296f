from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _

from .forms import InstallBaseImportForm
from .imports import COLUMNS, import_install_base
from .models import Contract, Device, ServiceLevel, Vendor


@admin.register(ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "coverage", "phone_only_outside_office_hours"]


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "return_window_days"]
    search_fields = ["name"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["number", "customer", "product", "service_level", "valid_from", "valid_to"]
    list_filter = ["product", "service_level"]
    list_select_related = ["customer", "service_level"]
    search_fields = ["number", "customer__name"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["serial_number", "vendor", "device_type", "customer", "contract", "site"]
    list_filter = ["vendor", "contract__product"]
    list_select_related = ["vendor", "customer", "contract", "site"]
    search_fields = ["serial_number", "device_type", "customer__name", "contract__number"]
    raw_id_fields = ["customer", "site", "contract"]
    change_list_template = "admin/installbase/device/change_list.html"

    def get_urls(self):
        import_view = self.admin_site.admin_view(self.import_csv)
        return [path("import/", import_view, name="installbase_device_import"), *super().get_urls()]

    def import_csv(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("installbase.add_device"):
            return HttpResponse(status=403)
        form = InstallBaseImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            report = import_install_base(
                form.cleaned_data["file"].read(), dry_run=form.cleaned_data["dry_run"]
            )
            if report.ok and not report.dry_run:
                messages.success(request, _("Imported %(rows)s rows.") % {"rows": report.rows})
                return redirect("admin:installbase_device_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import install base from CSV"),
            "form": form,
            "report": report,
            "columns": COLUMNS,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/installbase/device/import.html", context)
