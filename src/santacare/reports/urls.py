from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.agent_report, name="agent"),
    path("sla.csv", views.agent_csv, name="agent_csv"),
    path("mine/", views.customer_report, name="customer"),
    path("mine/sla.csv", views.customer_csv, name="customer_csv"),
    path("row/", views.agent_row, name="agent_row"),
    path("mine/row/", views.customer_row, name="customer_row"),
]
