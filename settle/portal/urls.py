from django.urls import path

from settle.portal import views
from settle.responses import views as response_views

app_name = "portal"

urlpatterns = [
    path("p/<str:key>", views.link, name="link"),
    path("portal/", views.home, name="home"),
    path("portal/ended/", views.ended, name="ended"),
    path("portal/signed-out/", views.signed_out, name="signed_out"),
    path("portal/sign-out/", views.sign_out, name="sign_out"),
    path("portal/new-link/", views.new_link, name="new_link"),
    path("portal/respond/", response_views.respond, name="respond"),
    path("portal/respond/fields/", response_views.respond_fields, name="respond_fields"),
    path("portal/respond/hint/", response_views.respond_hint, name="respond_hint"),
]
