import pytest

from config.celery import app as celery_app
from tests.coordinators.conftest import as_user, case, coverage  # noqa: F401 - shared fixtures


@pytest.fixture
def eager_celery():
    """Run tasks in-process, as a worker would, when their on_commit callbacks fire."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous
