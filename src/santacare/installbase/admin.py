from django.contrib import admin

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
