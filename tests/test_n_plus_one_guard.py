import pytest
from django.conf import settings
from zeal import NPlusOneError, zeal_context

from accounts.models import Membership
from tests.factories import MembershipFactory


def test_every_request_in_the_suite_runs_under_the_n_plus_one_guard():
    assert settings.MIDDLEWARE[0] == "zeal.middleware.zeal_middleware"


@pytest.mark.django_db
def test_a_lazy_load_inside_a_loop_fails_under_the_guard():
    MembershipFactory.create_batch(3)
    with pytest.raises(NPlusOneError), zeal_context():
        [membership.user.email for membership in Membership.objects.all()]
