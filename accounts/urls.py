from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("no-role/", views.no_role, name="no-role"),
    path("audit/", views.audit_list, name="audit-list"),
    path("team/members/", views.team_members, name="team-members"),
    path("team/members/<int:user_id>/end-sessions/", views.end_sessions, name="end-sessions"),
    path("session/keepalive/", views.session_keepalive, name="session-keepalive"),
]
