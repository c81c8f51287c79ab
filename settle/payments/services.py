"""Online payment requests: created, synchronised with the provider, booked once."""


def payment_requests_process_due() -> int:
    return 0
