"""hooks() and hook(): the functions other apps name in settings."""

from settle.common.hooks import hook, hooks


def test_it_imports_the_functions_a_setting_lists(settings):
    settings.SETTLE_TEST_HOOKS = ["settle.common.dates.iso_date"]

    (found,) = hooks("SETTLE_TEST_HOOKS")

    assert found.__name__ == "iso_date"


def test_it_finds_the_function_registered_under_a_key(settings):
    settings.SETTLE_TEST_REGISTRY = {"date": "settle.common.dates.iso_date"}

    assert hook("SETTLE_TEST_REGISTRY", "date").__name__ == "iso_date"
    assert hook("SETTLE_TEST_REGISTRY", "other") is None
    assert hook("SETTLE_NOT_A_SETTING", "date") is None
