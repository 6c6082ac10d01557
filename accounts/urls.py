from django.urls import path

from . import people_views, views

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
    path("people/", people_views.people, name="people"),
    path("people/invite/", people_views.person_invite, name="person-invite"),
    path("people/<int:user_id>/", people_views.person_detail, name="person"),
    path(
        "people/<int:user_id>/roles/<int:membership_id>/remove/",
        people_views.person_remove_role,
        name="person-remove-role",
    ),
    path(
        "people/<int:user_id>/deactivate/",
        people_views.person_deactivate,
        name="person-deactivate",
    ),
    path(
        "operations/reminders/<int:reminder_id>/retry/",
        views.reminder_retry,
        name="reminder-retry",
    ),
]
