from django.contrib import admin

from .models import CalendarException


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin[CalendarException]):
    list_display = ["calendar", "day", "is_open", "name"]
    list_filter = ["calendar", "is_open"]
    date_hierarchy = "day"
