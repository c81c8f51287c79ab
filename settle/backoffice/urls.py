from django.contrib.auth import views as auth_views
from django.urls import path

from settle.backoffice.signin import StaffAuthenticationForm
from settle.backoffice.views import debtors, home, imports, invoices

app_name = "backoffice"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="backoffice/login.html",
            authentication_form=StaffAuthenticationForm,
            redirect_authenticated_user=False,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", home.home, name="home"),
    path("debtors/", debtors.debtor_list, name="debtor_list"),
    path("debtors/<int:pk>/", debtors.debtor_detail, name="debtor_detail"),
    path("invoices/", invoices.invoice_list, name="invoice_list"),
    path("invoices/<int:pk>/", invoices.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/document/", invoices.invoice_document, name="invoice_document"),
    path("imports/", imports.import_list, name="import_list"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
]
