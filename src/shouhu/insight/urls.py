from django.urls import path

from . import views

app_name = "insight"

urlpatterns = [
    path("dashboard/", views.home, name="home"),
    path("regions/<str:code>/dashboard/", views.region, name="region"),
]
