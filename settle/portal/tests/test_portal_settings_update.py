import pytest

from settle.common.errors import ApplicationError
from settle.portal.models import PortalSettings
from settle.portal.services import portal_settings_update

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("days", [1, 30, 365])
def test_it_sets_the_link_validity(days):
    assert portal_settings_update(link_validity_days=days).link_validity_days == days
    assert PortalSettings.load().link_validity_days == days


@pytest.mark.parametrize("days", [0, 366, -5])
def test_it_refuses_a_validity_outside_one_to_365_days(days):
    with pytest.raises(ApplicationError) as refusal:
        portal_settings_update(link_validity_days=days)

    assert refusal.value.errors[0].field == "link_validity_days"
    assert PortalSettings.load().link_validity_days == 14
