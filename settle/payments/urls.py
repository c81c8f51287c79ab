from django.urls import path

from settle.payments import webhooks

app_name = "payments"

# Exact paths, no trailing slash: a provider's POST must be answered here, never redirected
# (APPEND_SLASH redirects only addresses that match nothing).
urlpatterns = [
    path("payments/webhook/mollie", webhooks.mollie_webhook, name="webhook_mollie"),
    path("payments/webhook/adyen", webhooks.adyen_webhook, name="webhook_adyen"),
]
