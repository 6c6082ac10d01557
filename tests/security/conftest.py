from tests.accounts.conftest import reminder_queue  # noqa: F401 - shared fixture
