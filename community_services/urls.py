from django.urls import path

from . import views

app_name = "community_services"
urlpatterns = [
    path("directory/vetting/", views.vetter_home, name="vetter-home"),
]
