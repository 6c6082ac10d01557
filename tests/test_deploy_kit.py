"""The production kit under deploy/ stays in step with the code it runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ_FROM_ENVIRONMENT = re.compile(
    r'(?:env_(?:str|bool|int|list)|os\.environ\.get)\(\s*"([A-Z_0-9]+)"'
)


def _named_in(path: Path) -> set[str]:
    return set(re.findall(r"^#?\s*([A-Z_0-9]+)=", path.read_text(), flags=re.MULTILINE))


def test_the_environment_template_lists_every_setting_the_app_reads():
    read = set(READ_FROM_ENVIRONMENT.findall((ROOT / "config" / "settings.py").read_text()))
    missing = read - _named_in(ROOT / "deploy" / "env.template")
    assert len(read) > 50
    assert not missing, f"add to deploy/env.template: {sorted(missing)}"


def test_the_environment_template_lists_every_gunicorn_setting():
    read = set(
        re.findall(r'"(GUNICORN_[A-Z_]+)"', (ROOT / "deploy" / "gunicorn.conf.py").read_text())
    )
    assert not read - _named_in(ROOT / "deploy" / "env.template")


def test_the_template_sets_no_secret():
    for line in (ROOT / "deploy" / "env.template").read_text().splitlines():
        if re.match(r"(SECRET_KEY|AUDIT_HMAC_KEY|METRICS_TOKEN)=", line):
            assert line.endswith("="), line
