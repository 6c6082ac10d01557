from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("practice/", views.practice_home, name="practice-home"),
    path("provider/", views.provider_home, name="provider-home"),
]
