"""compose.yaml, without Docker: its structure, its secrets, and its commands against the real CLI.

hadolint lints Dockerfiles only, so the file is read with PyYAML (anchors and merge keys resolve
as Compose resolves them) and its keys are checked against the few this project uses.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from click.testing import CliRunner

from trendbot.cli import cli

REPO = Path(__file__).resolve().parent.parent
COMPOSE = REPO / "compose.yaml"

TOP_LEVEL_KEYS = {"services", "volumes"}  # and x-* extension fields
SERVICE_KEYS = {
    "image",
    "build",
    "command",
    "environment",
    "volumes",
    "ports",
    "depends_on",
    "restart",
    "healthcheck",
    "deploy",
}
SECRET_KEY = re.compile(r"SLACK_\w*(TOKEN|SECRET)|\w*PASSWORD\w*")
REFERENCE = re.compile(r"\$\{\w+(:?[-?][^}]*)?\}")


def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict), "compose.yaml: expected a mapping at the top"
    return data


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def trendbot_services() -> dict[str, dict[str, Any]]:
    """The services running the image built here (not postgres)."""
    return {
        name: service
        for name, service in services().items()
        if str(service.get("image", "trendbot")).split(":")[0] == "trendbot"
    }


def environment(service: dict[str, Any]) -> dict[str, str | None]:
    """Both of Compose's forms as a mapping; None for a name passed through from the host."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return {k: (v if sep else None) for k, sep, v in (e.partition("=") for e in env)}
    return {k: None if v is None else str(v) for k, v in env.items()}


def words(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(w) for w in command]


def trendbot_commands() -> list[tuple[str, list[str]]]:
    """Every `trendbot …` the file runs: services' commands and health checks."""
    found: list[tuple[str, list[str]]] = []
    for name, service in services().items():
        commands = [service.get("command") or []]
        test = (service.get("healthcheck") or {}).get("test") or []
        if test[:1] == ["CMD-SHELL"]:
            commands.append(test[1].split("||")[0])
        elif test[:1] == ["CMD"]:
            commands.append(test[1:])
        found += [(name, words(c)[1:]) for c in commands if words(c)[:1] == ["trendbot"]]
    return found


# Structure -------------------------------------------------------------------------------------


def test_only_known_keys() -> None:
    data = compose()
    unknown = {k for k in data if k not in TOP_LEVEL_KEYS and not k.startswith("x-")}
    assert not unknown, f"compose.yaml: unknown top-level keys {sorted(unknown)}"
    for name, service in data["services"].items():
        unknown = set(service) - SERVICE_KEYS
        assert not unknown, f"service {name}: unknown keys {sorted(unknown)} (a typo?)"


def test_three_services() -> None:
    assert set(services()) == {"postgres", "worker", "slack"}, sorted(services())
    assert set(trendbot_services()) == {"worker", "slack"}, "worker and slack run trendbot"


def test_trendbot_services_build_the_repository_dockerfile() -> None:
    for name, service in trendbot_services().items():
        build = service.get("build")
        assert build is not None, f"service {name}: no build, so no image from this repository"
        if isinstance(build, str):
            build = {"context": build}
        assert build.get("context") == ".", f"service {name}: build context {build.get('context')}"
        dockerfile = REPO / build["context"] / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), f"service {name}: {dockerfile} does not exist"


def test_worker_does_not_listen_and_slack_does() -> None:
    worker = words(services()["worker"]["command"])
    slack = words(services()["slack"]["command"])
    assert worker[:2] == ["trendbot", "run"] and "--no-listen" in worker, worker
    assert slack[:2] == ["trendbot", "run"] and "--no-listen" not in slack, slack


def test_worker_replicas_and_slack_port() -> None:
    replicas = (services()["worker"].get("deploy") or {}).get("replicas")
    assert replicas is not None, "worker: no deploy.replicas"
    ports = [str(p) for p in services()["slack"].get("ports") or []]
    assert "3000:3000" in ports, f"slack: publishes {ports}, not 3000"
    assert "ports" not in services()["worker"], "replicas of worker cannot share a host port"


# Database and secrets --------------------------------------------------------------------------


def test_trendbot_services_use_the_postgres_service() -> None:
    for name, service in trendbot_services().items():
        url = environment(service).get("TRENDBOT_DATABASE_URL")
        assert url, f"service {name}: no TRENDBOT_DATABASE_URL"
        parts = urlsplit(url)
        assert parts.scheme == "postgresql", f"service {name}: {parts.scheme}, not postgresql"
        assert parts.hostname == "postgres", f"service {name}: database on {parts.hostname}"
        assert parts.password is None or REFERENCE.fullmatch(parts.password), (
            f"service {name}: the database URL holds a password; use ${{POSTGRES_PASSWORD}}"
        )
        condition = (service.get("depends_on") or {}).get("postgres", {}).get("condition")
        assert condition == "service_healthy", f"service {name}: depends_on postgres {condition}"


def test_no_secret_values_in_the_file() -> None:
    for name, service in services().items():
        for key, value in environment(service).items():
            if SECRET_KEY.fullmatch(key):
                assert value is None or REFERENCE.fullmatch(value), (
                    f"service {name}: {key} holds a value; pass it through from the host"
                )


def test_slack_tokens_are_passed_where_needed() -> None:
    for name, service in trendbot_services().items():
        assert "SLACK_BOT_TOKEN" in environment(service), f"{name}: no SLACK_BOT_TOKEN to post"
    slack = environment(services()["slack"])
    assert "SLACK_SIGNING_SECRET" in slack, "slack: HTTP mode needs SLACK_SIGNING_SECRET"
    assert "SLACK_APP_TOKEN" not in slack, "slack: SLACK_APP_TOKEN would switch to Socket Mode"


# Health checks -------------------------------------------------------------------------------


def test_postgres_health_check_and_volume() -> None:
    postgres = services()["postgres"]
    test = " ".join((postgres.get("healthcheck") or {}).get("test") or [])
    assert "pg_isready" in test, f"postgres: health check {test!r}, not pg_isready"
    volumes = [str(v).split(":")[0] for v in postgres.get("volumes") or []]
    named = [v for v in volumes if not v.startswith((".", "/"))]
    assert named, "postgres: no named volume, the database would go with the container"
    assert set(named) <= set(compose().get("volumes") or {}), f"undeclared volumes {named}"


def test_slack_health_check_is_the_image_one() -> None:
    test = (services()["slack"].get("healthcheck") or {}).get("test") or []
    assert test[:1] == ["CMD-SHELL"], f"slack: health check {test}"
    assert f"CMD {test[1]}" in (REPO / "Dockerfile").read_text(), (
        f"slack: health check {test[1]!r} differs from the Dockerfile's HEALTHCHECK"
    )


# The commands exist ----------------------------------------------------------------------------


def test_every_trendbot_command_exists_in_the_cli() -> None:
    found = trendbot_commands()
    assert {name for name, _ in found} == {"worker", "slack"}, found
    for name, args in found:
        assert args and args[0] in cli.commands, f"service {name}: no `trendbot {args[:1]}`"
        result = CliRunner().invoke(cli, [*args, "--help"])
        assert result.exit_code == 0, f"service {name}: trendbot {shlex.join(args)}: {result}"
        for option in (a.split("=")[0] for a in args if a.startswith("--")):
            assert re.search(rf"{option}\b", result.output), (
                f"service {name}: `trendbot {args[0]}` has no {option}"
            )
