"""Walking the new-referral steps the way a browser posts them, for the page tests."""

import re

from django.urls import reverse

from referrals.referral_forms import STEPS

_TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')


def step_data(step, data: dict) -> dict:
    """The part of a whole referral's posted data that one step asks for."""
    names = set(step.form_class.base_fields)
    return {
        key: value for key, value in data.items() if key in names or key.rsplit("_", 1)[0] in names
    }


def post_steps(client, data: dict):
    """Post each step in turn; the response of the first step that did not move on, or of the
    last one (a redirect to the check page)."""
    response = None
    for step in STEPS:
        response = client.post(
            reverse("referrals:new-step", args=[step.slug]), step_data(step, data)
        )
        if response.status_code != 302:
            return response
    return response


def form_token(client) -> str:
    """The submission token the check page was issued with (as a browser would post it)."""
    page = client.get(reverse("referrals:new-check")).content.decode()
    return _TOKEN.search(page).group(1)  # type: ignore[union-attr]


def send(client, data: dict, *, token: str | None = None, follow: bool = False):
    """Answer every step, open the check page and send."""
    post_steps(client, data)
    token = form_token(client) if token is None else token
    return client.post(reverse("referrals:new-check"), {"submission_token": token}, follow=follow)
