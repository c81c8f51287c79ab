"""Provider notifications stored by the webhook, processed by the worker."""


def notifications_process_due() -> int:
    return 0
