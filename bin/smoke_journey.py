"""The people in the production smoke test: a browser-like client that signs in and fills forms
through nginx over TLS, as a person would (CSRF token, the form's hidden fields, the two-factor
step). Used by bin/smoke_production.py; nothing here imports the app."""

import base64
import hashlib
import hmac
import random
import re
import struct
import time
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


class SmokeFailure(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


class _Forms(HTMLParser):
    """Every form on a page: its action and the values a browser would send unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}, "names": set()})
        elif not self.forms:
            return
        fields, names = self.forms[-1]["fields"], self.forms[-1]["names"]
        if tag == "input" and a.get("name"):
            names.add(a["name"])
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    fields[a["name"]] = a.get("value", "on")
            elif kind not in {"submit", "button"}:
                fields.setdefault(a["name"], a.get("value", ""))
        elif tag in {"textarea", "select"} and a.get("name"):
            names.add(a["name"])
            fields.setdefault(a["name"], "")
            self._select = a["name"] if tag == "select" else None
        elif tag == "option" and self._select and "selected" in a:
            fields[self._select] = a.get("value", "")


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238, six digits, 30-second steps (what an authenticator app shows)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def synthetic_nhs_number() -> str:
    """A valid NHS number from the 999 test range (modulus 11), never a real person's."""
    while True:
        digits = [9, 9, 9] + [random.randint(0, 9) for _ in range(6)]  # noqa: S311
        remainder = sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        check_digit = 11 - remainder
        if check_digit == 11:
            check_digit = 0
        if check_digit != 10 and len(set(digits)) > 1:
            return "".join(map(str, [*digits, check_digit]))


class Person:
    """One browser session through the proxy."""

    def __init__(self, base_url: str, ca_file: str) -> None:
        self.base = base_url
        self.ca_file = ca_file
        self.http = requests.Session()
        self.http.trust_env = False  # no proxy or CA bundle from the environment: straight to nginx

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(urljoin(self.base, path), timeout=30, verify=self.ca_file, **kwargs)

    def submit(self, path: str, values: dict, *, form_with: str) -> requests.Response:
        """Open the page, take the form that has the field `form_with`, change `values`, send."""
        page = self.get(path)
        check(page.status_code == 200, f"GET {path}: {page.status_code}")
        parser = _Forms()
        parser.feed(page.text)
        forms = [f for f in parser.forms if form_with in f["names"]]
        check(bool(forms), f"no form with {form_with!r} on {page.url}")
        form = forms[0]
        data = {**form["fields"], **values}
        target = urljoin(page.url, form["action"] or page.url)
        return self.http.post(
            target,
            data=data,
            headers={"Referer": page.url},
            timeout=30,
            verify=self.ca_file,
            allow_redirects=True,
        )

    def sign_in(self, email: str, password: str, totp_secret: str | None = None) -> None:
        response = self.submit(
            "/accounts/login/", {"login": email, "password": password}, form_with="password"
        )
        if "/2fa/" in response.url:
            if totp_secret is None:
                raise SmokeFailure(f"{email} was asked for a second factor")
            response = self.submit(response.url, {"code": totp_code(totp_secret)}, form_with="code")
        check(
            response.status_code == 200 and "/accounts/login" not in response.url,
            f"{email} could not sign in: {response.status_code} at {response.url}",
        )

    def submit_referral(self) -> str:
        """A referrer's new referral, through each step of the form and "Check your answers";
        returns its reference."""
        response = self.submit(
            "/referrals/new/", {"nhs_number": synthetic_nhs_number()}, form_with="nhs_number"
        )
        steps = [
            (
                "given_name",
                {
                    "given_name": "Smoke",
                    "family_name": "Testperson",
                    "date_of_birth_day": "17",
                    "date_of_birth_month": "5",
                    "date_of_birth_year": "1961",
                },
            ),
            ("help_wanted", {"reasons": "loneliness", "help_wanted": "Meeting people nearby."}),
            ("risk_flag", {}),
            ("consent_to_referral", {"consent_to_referral": "on"}),
            ("submission_token", {}),
        ]
        for field, values in steps:
            page = response.url
            response = self.submit(page, values, form_with=field)
            check(
                response.url != page, f"the referral form stayed at {page}: {response.status_code}"
            )
        found = re.search(r"/referrals/(SP-[A-Z0-9]+)/confirmation/", response.url)
        if found is None:
            raise SmokeFailure(f"referral not confirmed: {response.status_code} at {response.url}")
        return found.group(1)

    def accept_referral(self, reference: str) -> None:
        response = self.submit(f"/referrals/{reference}/accept/", {}, form_with="assign_to")
        check(
            response.status_code == 200 and "Accepted" in response.text,
            f"accepting {reference}: {response.status_code} at {response.url}",
        )
