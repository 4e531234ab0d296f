from django.contrib import admin

from .models import Contact, Customer, Site


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "email", "phone", "job_role", "is_technical", "language", "is_active"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "business_id", "service_delivery_manager", "language", "is_active"]
    list_filter = ["is_active", "language"]
    search_fields = ["name", "business_id"]
    inlines = [SiteInline, ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "customer", "job_role", "is_technical", "is_active"]
    list_filter = ["is_technical", "is_active"]
    list_select_related = ["customer"]
    search_fields = ["name", "email", "phone", "customer__name"]
    raw_id_fields = ["user"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "city"]
    list_select_related = ["customer"]
    search_fields = ["name", "city", "customer__name"]
