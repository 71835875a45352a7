from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.profile, name="account_profile"),
    path("delete/", views.delete, name="account_delete"),
    path("confirm-email/", views.confirm_email, name="account_email_verification_sent"),  # before allauth's
]
