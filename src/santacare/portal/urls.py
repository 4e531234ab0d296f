from django.urls import path

from .views import access, devices, tickets, tokens

app_name = "portal"
urlpatterns = [
    path("", devices.overview, name="overview"),
    path("devices/", devices.device_list, name="devices"),
    path("devices/<str:serial_number>/new/", devices.new_ticket, name="new_ticket"),
    path("devices/<str:serial_number>/phone-check/", devices.phone_check, name="phone_check"),
    path("tickets/", tickets.ticket_list, name="tickets"),
    path("tickets/new/", devices.find_device, name="find_device"),
    path("tickets/<str:tracking_number>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<str:tracking_number>/reply/", tickets.reply, name="reply"),
    path("tickets/<str:tracking_number>/status/", tickets.set_status, name="set_status"),
    path("attachments/<int:attachment_id>/", tickets.attachment_download, name="attachment"),
    path("api-tokens/", tokens.token_list, name="tokens"),
    path("api-tokens/<int:token_id>/revoke/", tokens.revoke, name="revoke_token"),
    path("access/", access.request_access, name="request_access"),
    path("access/verify/<str:token>/", access.verify_access, name="verify_access"),
]
