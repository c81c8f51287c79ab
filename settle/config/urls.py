from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from settle.api.api import api
from settle.portal.favicon import favicon


def _superusers_only(request) -> bool:
    return request.user.is_active and request.user.is_superuser


# Django's admin is a tool for superusers; employees work in the back office.
admin.site.has_permission = _superusers_only

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="backoffice:home", permanent=False)),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("settle.portal.urls")),
    path("", include("settle.payments.urls")),
    path("backoffice/", include("settle.backoffice.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
