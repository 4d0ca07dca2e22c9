from django.urls import path

from . import views

app_name = "crosschecks"

urlpatterns = [
    path("crosschecks/", views.index, name="index"),
    path("crosschecks/new/", views.upload, name="upload"),
    path("crosschecks/differences/", views.differences, name="differences"),
    path("crosschecks/differences/<uuid:difference_id>/", views.difference, name="difference"),
    path("crosschecks/<uuid:run_id>/", views.run, name="run"),
]
