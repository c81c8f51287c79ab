from django.urls import path

from settle.portal import pay, paylink_views, respond, views

app_name = "portal"

urlpatterns = [
    path("p/<str:key>", views.link, name="link"),
    path("portal/", views.home, name="home"),
    path("portal/ended/", views.ended, name="ended"),
    path("portal/signed-out/", views.signed_out, name="signed_out"),
    path("portal/sign-out/", views.sign_out, name="sign_out"),
    path("portal/new-link/", views.new_link, name="new_link"),
    path("portal/respond/", respond.respond, name="respond"),
    path("portal/respond/fields/", respond.respond_fields, name="respond_fields"),
    path("portal/respond/hint/", respond.respond_hint, name="respond_hint"),
    path("portal/pay/", pay.pay, name="pay"),
    path("portal/pay/instalment/", pay.pay_instalment, name="pay_instalment"),
    # The addresses a provider and a message lead to: no session needed, each holds its secret.
    path("pay/return/<str:key>", pay.pay_return, name="pay_return"),
    path("pay/return/<str:key>/status", pay.pay_return_status, name="pay_return_status"),
    path("pay/demo/<str:demo_id>", paylink_views.demo_checkout, name="demo_checkout"),
    path("pay/<str:token>", paylink_views.pay_link, name="pay_link"),
]
