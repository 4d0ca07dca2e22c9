from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("exports/children/", views.children_export, name="children"),
]
