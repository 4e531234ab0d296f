from django.urls import path

from . import views

app_name = "desk"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("phone/", views.phone_intake, name="phone"),
    path("phone/lookup/", views.phone_lookup, name="phone_lookup"),
    path("phone/opened/<str:tracking_number>/", views.phone_opened, name="phone_opened"),
    path("mail/", views.mail_review, name="mail"),
    path("mail/<int:mail_id>/release/", views.mail_release, name="mail_release"),
    path("mail/<int:mail_id>/ticket/", views.mail_open_ticket, name="mail_ticket"),
    path("attachment/<int:attachment_id>/", views.attachment, name="attachment"),
    path("t/<str:tracking_number>/", views.ticket_workspace, name="ticket"),
    path("t/<str:tracking_number>/status/", views.ticket_status, name="status"),
    path("t/<str:tracking_number>/priority/", views.ticket_priority, name="priority"),
    path("t/<str:tracking_number>/assign/", views.ticket_assign, name="assign"),
    path("t/<str:tracking_number>/called/", views.ticket_called, name="called"),
    path("t/<str:tracking_number>/reply/", views.ticket_reply, name="reply"),
    path("t/<str:tracking_number>/merge/", views.ticket_merge, name="merge"),
    path("t/<str:tracking_number>/link/", views.ticket_link, name="link"),
    path("t/<str:tracking_number>/unlink/<str:other>/", views.ticket_unlink, name="unlink"),
]
