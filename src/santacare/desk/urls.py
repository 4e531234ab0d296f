from django.urls import path

from .views import access, calls, filters, live, mail, phone, queue, tokens, workspace

app_name = "desk"
urlpatterns = [
    path("", queue.queue, name="queue"),
    path("bulk/", queue.queue_bulk, name="queue_bulk"),
    path("filters/", filters.save_filter, name="filter_save"),
    path("filters/<int:filter_id>/delete/", filters.delete_filter, name="filter_delete"),
    path("access/", access.access_requests, name="access"),
    path("access/<int:request_id>/approve/", access.access_approve, name="access_approve"),
    path("access/<int:request_id>/decline/", access.access_decline, name="access_decline"),
    path("phone/", phone.phone_intake, name="phone"),
    path("phone/lookup/", phone.phone_lookup, name="phone_lookup"),
    path("phone/opened/<str:tracking_number>/", phone.phone_opened, name="phone_opened"),
    path("calls/incoming/", calls.incoming_call, name="incoming_call"),
    path("calls/<int:call_pk>/ticket/", calls.call_to_ticket, name="call_to_ticket"),
    path("mail/", mail.mail_review, name="mail"),
    path("mail/<int:mail_id>/release/", mail.mail_release, name="mail_release"),
    path("mail/<int:mail_id>/ticket/", mail.mail_open_ticket, name="mail_ticket"),
    path("api-tokens/", tokens.token_list, name="tokens"),
    path("api-tokens/<int:token_id>/revoke/", tokens.revoke, name="revoke_token"),
    path("attachment/<int:attachment_id>/", workspace.attachment, name="attachment"),
    path("t/<str:tracking_number>/", workspace.ticket_workspace, name="ticket"),
    path("t/<str:tracking_number>/status/", workspace.ticket_status, name="status"),
    path("t/<str:tracking_number>/priority/", workspace.ticket_priority, name="priority"),
    path("t/<str:tracking_number>/assign/", workspace.ticket_assign, name="assign"),
    path("t/<str:tracking_number>/called/", workspace.ticket_called, name="called"),
    path("t/<str:tracking_number>/reply/", workspace.ticket_reply, name="reply"),
    path("t/<str:tracking_number>/live/", live.ticket_live, name="live"),
    path("t/<str:tracking_number>/merge/", workspace.ticket_merge, name="merge"),
    path("t/<str:tracking_number>/link/", workspace.ticket_link, name="link"),
    path("t/<str:tracking_number>/unlink/<str:other>/", workspace.ticket_unlink, name="unlink"),
]
