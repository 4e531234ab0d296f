from django.urls import path

from . import views

app_name = "rma"
urlpatterns = [
    path("", views.rma_list, name="list"),
    path("overdue/", views.overdue, name="overdue"),
    path("report/", views.report, name="report"),
    path("new/<str:tracking_number>/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/returned/", views.confirm_return, name="confirm_return"),
    path("<int:pk>/<slug:name>/", views.action, name="action"),
    path("devices/<int:pk>/", views.device_swaps, name="device_history"),
    path("ticket/<str:tracking_number>/", views.customer_ticket, name="customer_ticket"),
]
