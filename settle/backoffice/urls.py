from django.contrib.auth import views as auth_views
from django.urls import include, path

from settle.backoffice.signin import StaffAuthenticationForm
from settle.backoffice.views import (
    arrangements,
    debtors,
    home,
    imports,
    invoices,
    messages,
    payments,
    portal_links,
    portal_settings,
    responses,
    signin_locks,
    templates_admin,
    worklist,
)

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
    path("worklist/", worklist.task_list, name="task_list"),
    path("worklist/<int:pk>/", worklist.task_detail, name="task_detail"),
    path("worklist/<int:pk>/take/", worklist.task_take, name="task_take"),
    path("worklist/<int:pk>/assign/", worklist.task_assign_view, name="task_assign"),
    path("worklist/<int:pk>/complete/", worklist.task_complete_view, name="task_complete"),
    path("debtors/", debtors.debtor_list, name="debtor_list"),
    path("debtors/<int:pk>/", debtors.debtor_detail, name="debtor_detail"),
    path("invoices/", invoices.invoice_list, name="invoice_list"),
    path("invoices/<int:pk>/", invoices.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/document/", invoices.invoice_document, name="invoice_document"),
    path("imports/", imports.import_list, name="import_list"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("responses/", responses.response_list, name="response_list"),
    path("responses/<int:pk>/", responses.response_detail, name="response_detail"),
    path("responses/<int:pk>/close/", responses.response_close_view, name="response_close"),
    path(
        "responses/attachments/<int:pk>/",
        responses.response_attachment,
        name="response_attachment",
    ),
    path(
        "debtors/<int:pk>/portal-links/",
        portal_links.portal_link_create,
        name="portal_link_create",
    ),
    path(
        "debtors/<int:pk>/portal-links/revoke/",
        portal_links.portal_links_revoke_all_view,
        name="portal_links_revoke_all",
    ),
    path(
        "portal-links/<int:pk>/revoke/",
        portal_links.portal_link_revoke_view,
        name="portal_link_revoke",
    ),
    path("settings/portal/", portal_settings.portal_settings, name="portal_settings"),
    path(
        "settings/portal/types/<int:pk>/",
        portal_settings.response_type_edit,
        name="response_type_edit",
    ),
    path(
        "settings/portal/other/",
        portal_settings.portal_settings_other,
        name="portal_settings_other",
    ),
    path("messages/", messages.message_list, name="message_list"),
    path("messages/letters.pdf", messages.message_letters_pdf, name="message_letters_pdf"),
    path("messages/<int:pk>/", messages.message_detail, name="message_detail"),
    path("messages/<int:pk>/html/", messages.message_html, name="message_html"),
    path("messages/<int:pk>/pdf/", messages.message_pdf, name="message_pdf"),
    path("messages/<int:pk>/retry/", messages.message_retry_view, name="message_retry"),
    path(
        "messages/attachments/<int:pk>/",
        messages.message_attachment,
        name="message_attachment",
    ),
    path("debtors/<int:pk>/messages/", messages.debtor_message_send, name="debtor_send_message"),
    path("settings/templates/", templates_admin.template_settings, name="template_settings"),
    path("settings/templates/<int:pk>/", templates_admin.template_edit, name="template_edit"),
    path(
        "settings/templates/<int:pk>/reset/",
        templates_admin.template_reset_view,
        name="template_reset",
    ),
    path(
        "settings/templates/<int:pk>/preview/",
        templates_admin.template_preview,
        name="template_preview",
    ),
    path(
        "settings/templates/<int:pk>/preview/frame/",
        templates_admin.template_preview_frame,
        name="template_preview_frame",
    ),
    path(
        "settings/templates/<int:pk>/preview.pdf",
        templates_admin.template_preview_pdf,
        name="template_preview_pdf",
    ),
    path(
        "settings/organisation/",
        templates_admin.organisation_settings,
        name="organisation_settings",
    ),
    path("settings/sign-ins/", signin_locks.signin_lock_list, name="settings_signin_locks"),
    path(
        "settings/sign-ins/unlock/",
        signin_locks.signin_unlock_view,
        name="settings_signin_unlock",
    ),
    path("payments/", payments.payment_list, name="payment_list"),
    path("payments/attempts/", payments.payment_request_list, name="payment_request_list"),
    path("settings/payments/", payments.payment_settings, name="payment_settings"),
    path("arrangements/", arrangements.arrangement_list, name="arrangement_list"),
    path("arrangements/<int:pk>/", arrangements.arrangement_detail, name="arrangement_detail"),
    path(
        "arrangements/<int:pk>/accept/",
        arrangements.arrangement_accept_view,
        name="arrangement_accept",
    ),
    path(
        "arrangements/<int:pk>/reject/",
        arrangements.arrangement_reject_view,
        name="arrangement_reject",
    ),
    path(
        "arrangements/<int:pk>/end/",
        arrangements.arrangement_end_view,
        name="arrangement_end",
    ),
    # Dunning (issue 13): the overview and a run's start, runs and history, administration.
    path("dunning/", include("settle.backoffice.views.dunning.urls_overview")),
    path("dunning/", include("settle.backoffice.views.dunning.urls_runs")),
    path("dunning/", include("settle.backoffice.views.dunning.urls_admin")),
]
