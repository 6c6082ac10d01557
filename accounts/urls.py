from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("no-role/", views.no_role, name="no-role"),
    path("audit/", views.audit_list, name="audit-list"),
    path("audit/export/", views.audit_export, name="audit-export"),
    path("team/members/", views.team_members, name="team-members"),
    path("team/members/<int:user_id>/end-sessions/", views.end_sessions, name="end-sessions"),
    path("session/keepalive/", views.session_keepalive, name="session-keepalive"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path(
        "notifications/<int:notification_id>/read/",
        views.notification_read,
        name="notification-read",
    ),
    path("operations/", views.operations, name="operations"),
    path(
        "operations/reminders/<int:reminder_id>/retry/",
        views.reminder_retry,
        name="reminder-retry",
    ),
]
