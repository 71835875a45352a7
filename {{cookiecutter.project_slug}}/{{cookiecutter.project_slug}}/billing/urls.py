from django.urls import path

from . import views, webhook_views

urlpatterns = [
    path("orgs/<str:public_id>/billing/", views.billing, name="billing"),
    path("orgs/<str:public_id>/billing/checkout/", views.checkout, name="billing_checkout"),
    path("orgs/<str:public_id>/billing/portal/", views.portal, name="billing_portal"),
    path("billing/stripe/webhook/", webhook_views.stripe_webhook, name="billing_stripe_webhook"),
]
