from django.urls import path

from settle.portal import respond, views

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
]
