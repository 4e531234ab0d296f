from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("devices/", views.device_list, name="devices"),
    path("devices/<str:serial_number>/new/", views.new_ticket, name="new_ticket"),
    path("devices/<str:serial_number>/phone-check/", views.phone_check, name="phone_check"),
    path("tickets/", views.ticket_list, name="tickets"),
    path("tickets/new/", views.find_device, name="find_device"),
    path("tickets/<str:tracking_number>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:tracking_number>/reply/", views.reply, name="reply"),
    path("tickets/<str:tracking_number>/status/", views.set_status, name="set_status"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("access/", views.request_access, name="request_access"),
    path("access/verify/<str:token>/", views.verify_access, name="verify_access"),
]
