"""The README documents every command and every feeds.yaml setting; the bundled example is the
repository's feeds.yaml."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path

import click
from pydantic import BaseModel

from trendbot.cli import cli
from trendbot.settings import Settings

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "trendbot") -> Iterator[str]:
    for name, command in group.commands.items():
        yield f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")


def models_in(annotation: object) -> Iterator[type[BaseModel]]:
    """The settings models inside a type (through tuples, unions and Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from models_in(arg)


def setting_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        path = prefix + name
        nested = list(models_in(field.annotation))
        many = typing.get_origin(field.annotation) is tuple
        if not nested:
            yield path
        for inner in nested:
            yield from setting_paths(inner, f"{path}[]." if many else f"{path}.")


def test_every_command_is_in_the_readme() -> None:
    found = sorted(commands(cli))
    assert "trendbot slack manifest" in found and "trendbot feeds import" in found
    missing = [c for c in found if f"`{c}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_every_setting_is_in_the_readme() -> None:
    # each entry of `brands:` takes what `brand:` takes: the README documents them as `brand.…`
    paths = sorted({p.replace("brands[].", "brand.") for p in setting_paths(Settings)} | {"brands"})
    assert "brand.cadence.quiet_hours" in paths and "feeds[].poll_minutes" in paths
    missing = [p for p in paths if f"`{p}`" not in README]
    assert not missing, f"settings missing from README.md: {missing}"


def test_readme_opens_with_the_two_commands() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("##", 1)[0]
    block = quickstart.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == [
        "make demo",
        "make test",
    ]
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_the_bundled_example_is_feeds_yaml() -> None:
    bundled = REPO / "trendbot" / "data" / "feeds.example.yaml"
    assert bundled.read_text(encoding="utf-8") == (REPO / "feeds.yaml").read_text(encoding="utf-8")
