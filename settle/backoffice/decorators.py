"""Who may enter the back office: employees (staff) and, for settings, administrators."""

from django.contrib.auth.decorators import user_passes_test


def _is_employee(user) -> bool:
    return user.is_active and user.is_staff


def _is_administrator(user) -> bool:
    return user.is_active and user.is_superuser


staff_required = user_passes_test(_is_employee)
admin_required = user_passes_test(_is_administrator)
