from django.urls import path

from . import views

app_name = "coordinators"
urlpatterns = [
    path("coordinator/", views.home, name="home"),
    path("team/", views.team_home, name="team-home"),
]
