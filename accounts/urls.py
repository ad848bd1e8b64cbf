from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("institution/", views.contact_home, name="contact_home"),
    path("syndicate/", views.lead_home, name="lead_home"),
    path("mentoring/", views.mentor_home, name="mentor_home"),
    path("two-factor/", views.two_factor, name="two_factor"),
]
