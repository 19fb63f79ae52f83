"""Replay the Dockerfile's build without Docker, to prove its commands work.

    .venv/bin/python scripts/check_dockerfile.py [--dockerfile Dockerfile] [--keep]

No Docker engine runs on our machines, so this walks the Dockerfile in order in a temp dir:
a clean virtualenv stands for the image's Python (/usr/local), image paths such as /data or
/config are mapped under the temp dir, COPY copies from the build context as filtered by
.dockerignore, and every RUN command runs with the image's ENV. Two things cannot run here and
are reported: the OS-level user setup (useradd, chown...), which is skipped, and the CPU-only torch
index (download.pytorch.org), replaced by this machine's plain `pip install torch==...`. Then it
runs `trendbot --help`, `trendbot config check`, and `--help` of the CMD and HEALTHCHECK commands
with the image's environment. It prints what it ran, and "OK" or the failing command.
It takes a few minutes: torch comes from local disk, the rest from PyPI.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parent.parent

# python:3.11-slim's PATH; the virtualenv's bin/ goes first, as /usr/local/bin does there.
IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Absolute paths under these stay as they are: they name this machine's tools, not image files.
HOST_DIRS = frozenset({"usr", "bin", "sbin", "lib", "lib64", "etc", "dev", "proc", "sys"})
# An absolute path starts at a "/" that begins a shell word or follows "=" (--opt=/x, VAR=/x).
_ABS_PATH = re.compile(r"(?:^|(?<=[\s\"'=<>(;|&,]))/([\w.-]+)")
_TORCH_INDEX = re.compile(r"\s+--(?:extra-)?index-url(?:=|\s+)https://download\.pytorch\.org/\S*")
_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")

# The image's user does not exist here: creating it, or giving it files, is skipped and reported.
USER_SETUP = ("useradd", "groupadd", "adduser", "addgroup", "usermod", "chown", "chgrp")
# These would change this machine rather than a throwaway image: refuse them loudly.
OS_PACKAGES = ("apt-get", "apt", "apk", "dnf", "yum")


class CheckFailed(Exception):
    """A step of the replayed build failed; the message names it."""


# Parsing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN...
    args: str  # the rest, continuation lines joined
    line: int  # 1-based line where it starts

    def exec_form(self) -> list[str] | None:
        """The JSON array of `CMD ["a", "b"]`, or None for the shell form."""
        text = self.args.strip()
        if not text.startswith("["):
            return None
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return None
        return [str(v) for v in value] if isinstance(value, list) else None

    def flags(self) -> tuple[dict[str, str], str]:
        """Leading `--name=value` options (COPY --chown, HEALTHCHECK --interval) and the rest."""
        found: dict[str, str] = {}
        rest = self.args.strip()
        while match := re.match(r"--([\w-]+)(?:=(\S*))?\s*", rest):
            found[match.group(1)] = match.group(2) or ""
            rest = rest[match.end() :]
        return found, rest

    def words(self) -> list[str]:
        return self.exec_form() or shlex.split(self.flags()[1])


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with `\\` continuations joined and comments dropped, as Docker reads them."""
    lines = text.splitlines()
    instructions: list[Instruction] = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start = i
        current = lines[i].rstrip()
        joined = ""
        while current.endswith("\\"):
            joined += current[:-1]
            i += 1
            # Docker drops comment lines (and warns on empty ones) inside a continuation.
            while i < len(lines) and (not lines[i].strip() or lines[i].strip().startswith("#")):
                i += 1
            current = lines[i].rstrip() if i < len(lines) else ""
        keyword, _, args = (joined + current).strip().partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip(), start + 1))
        i += 1
    return instructions


def parse_pairs(args: str) -> dict[str, str]:
    """`ENV A=1 B="two words"` or the legacy `ENV A 1`; LABEL uses the same key=value form."""
    words = shlex.split(args)
    if words and "=" not in words[0]:
        key, _, value = args.strip().partition(" ")
        return {key: value.strip()}
    return dict(word.split("=", 1) for word in words)


def expand(text: str, variables: Mapping[str, str]) -> str:
    """$VAR and ${VAR}, as Docker substitutes them in ENV, WORKDIR, COPY..."""
    return _VARIABLE.sub(lambda m: variables.get(m.group(1) or m.group(2), ""), text)


# .dockerignore ---------------------------------------------------------------------------------


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i)
            out.append(pattern[i : end + 1] if end > i else re.escape(c))
            i = end if end > i else i
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out))


@dataclass(frozen=True)
class DockerIgnore:
    """Docker's matching: the last pattern that matches a path or one of its parents wins."""

    patterns: tuple[tuple[bool, re.Pattern[str]], ...] = ()

    @classmethod
    def parse(cls, text: str) -> DockerIgnore:
        patterns = []
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            exclusion = line.startswith("!")
            cleaned = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
            patterns.append((exclusion, _pattern_regex(cleaned)))
        return cls(tuple(patterns))

    @classmethod
    def of_context(cls, context: Path) -> DockerIgnore:
        path = context / ".dockerignore"
        return cls.parse(path.read_text()) if path.exists() else cls()

    def ignored(self, path: str) -> bool:
        parts = PurePosixPath(path).parts
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        ignored = False
        for exclusion, regex in self.patterns:
            if any(regex.fullmatch(p) for p in prefixes):
                ignored = not exclusion
        return ignored


# Mapping the image onto this machine -----------------------------------------------------------


def to_host(text: str, root: Path) -> str:
    """Image paths (/data, /tmp/x) rewritten under `root`; /usr, /bin, /dev... left alone."""

    def repl(match: re.Match[str]) -> str:
        first = match.group(1)
        return match.group(0) if first in HOST_DIRS else f"{root}/{first}"

    return _ABS_PATH.sub(repl, text)


def without_torch_index(command: str) -> tuple[str, bool]:
    """The command with the download.pytorch.org index removed, and whether there was one."""
    replaced, count = _TORCH_INDEX.subn("", command)
    return replaced, count > 0


def _write_shims(shims: Path, log: Path) -> None:
    shims.mkdir(parents=True, exist_ok=True)
    for name in USER_SETUP:
        script = f'#!/bin/sh\necho "{name} $*" >> "{log}"\n'
        (shims / name).write_text(script)
        (shims / name).chmod(0o755)
    for name in OS_PACKAGES:
        refuse = (
            f'#!/bin/sh\necho "{name}: OS packages cannot be checked without Docker '
            f'(it would change this machine)" >&2\nexit 1\n'
        )
        (shims / name).write_text(refuse)
        (shims / name).chmod(0o755)


def _python_for(base_image: str) -> str:
    """A python of the base image's version, to build the virtualenv that stands for it."""
    match = re.match(r"(?:docker\.io/)?(?:library/)?python:(\d+)\.(\d+)", base_image)
    if not match:
        raise CheckFailed(f"FROM {base_image}: only python:X.Y images can be replayed here")
    wanted = (int(match.group(1)), int(match.group(2)))
    if sys.version_info[:2] == wanted:
        return sys.executable
    found = shutil.which(f"python{wanted[0]}.{wanted[1]}")
    if not found:
        raise CheckFailed(f"FROM {base_image}: no python{wanted[0]}.{wanted[1]} on this machine")
    return found


def _clean_environ() -> dict[str, str]:
    # The machine's own settings (pip's local indexes, proxies) stay; whatever points at another
    # Python or relocates HOME's caches goes, so the image's HOME and ENV are what count.
    drop = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "CONDA_PREFIX")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    for key in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "PIP_CACHE_DIR"):
        env.pop(key, None)
    return env


@dataclass
class Replay:
    """The state of the image being replayed: paths on this machine, ENV, WORKDIR, USER."""

    tmp: Path
    context: Path
    say: Callable[[str], None] = print
    with_pip: bool = True
    root: Path = field(init=False)
    venv: Path = field(init=False)
    shims: Path = field(init=False)
    skipped_log: Path = field(init=False)
    ignore: DockerIgnore = field(init=False)
    image_env: dict[str, str] = field(default_factory=dict)  # as written: image paths
    build_args: dict[str, str] = field(default_factory=dict)
    workdir: str = "/"
    user: str = "root"
    shell: list[str] = field(default_factory=lambda: ["/bin/sh", "-c"])
    skipped: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root = self.tmp / "image"
        self.venv = self.tmp / "venv"
        self.shims = self.tmp / "shims"
        self.skipped_log = self.tmp / "skipped.log"
        for path in ("tmp", "root"):
            (self.root / path).mkdir(parents=True, exist_ok=True)
        _write_shims(self.shims, self.skipped_log)
        self.ignore = DockerIgnore.of_context(self.context)

    def host(self, image_path: str) -> Path:
        resolved = PurePosixPath(self.workdir, image_path)
        return self.root / str(resolved).lstrip("/")

    def env(self, *, building: bool) -> dict[str, str]:
        env = _clean_environ()
        env.update(self.build_args if building else {})
        env.update({k: to_host(v, self.root) for k, v in self.image_env.items()})
        env["PATH"] = f"{self.venv / 'bin'}:{IMAGE_PATH}"
        if building:  # builds run as root, whose HOME is where a forgotten pip cache would land
            env["PATH"] = f"{self.shims}:{env['PATH']}"
            env["HOME"] = str(self.root / "root")
        else:
            env["HOME"] = str(self.root / "home" / "user")
            Path(env["HOME"]).mkdir(parents=True, exist_ok=True)
        return env

    # One method an instruction --------------------------------------------------------------

    def apply(self, ins: Instruction) -> None:
        handler = getattr(self, f"do_{ins.keyword.lower()}", None)
        if handler is not None:
            handler(ins)
        else:  # LABEL, EXPOSE, CMD...: what the image says about itself, checked by the tests
            text = " ".join(ins.args.split())
            text = text if len(text) <= 80 else text[:77] + "..."
            self.say(f"[{ins.line}] {ins.keyword} {text} (metadata)")

    def do_from(self, ins: Instruction) -> None:
        if self.venv.exists():
            raise CheckFailed(f"line {ins.line}: multi-stage builds are not replayed by this check")
        image = ins.flags()[1].split()[0]
        python = _python_for(expand(image, self.build_args))
        self.say(f"[{ins.line}] FROM {image}: a clean virtualenv stands for its Python")
        cmd = [python, "-m", "venv", str(self.venv)]
        if not self.with_pip:
            cmd.insert(3, "--without-pip")
        self._run(cmd, env=_clean_environ(), cwd=self.tmp, shown="python -m venv")

    def do_arg(self, ins: Instruction) -> None:
        name, _, default = ins.args.partition("=")
        self.build_args.setdefault(name.strip(), default.strip().strip("\"'"))

    def do_env(self, ins: Instruction) -> None:
        variables = {**self.build_args, **self.image_env}
        pairs = parse_pairs(ins.args)
        if "PATH" in pairs:
            raise CheckFailed(f"line {ins.line}: ENV PATH is not replayed by this check")
        self.image_env.update({key: expand(value, variables) for key, value in pairs.items()})
        self.say(f"[{ins.line}] ENV {' '.join(pairs)}")

    def do_workdir(self, ins: Instruction) -> None:
        self.workdir = str(PurePosixPath(self.workdir, expand(ins.args, self.image_env)))
        self.host(self.workdir).mkdir(parents=True, exist_ok=True)
        self.say(f"[{ins.line}] WORKDIR {self.workdir}")

    def do_user(self, ins: Instruction) -> None:
        self.user = ins.args.strip()
        self.say(f"[{ins.line}] USER {self.user}: not emulated, later checks run as this user")

    def do_volume(self, ins: Instruction) -> None:
        for path in ins.words():
            self.host(path).mkdir(parents=True, exist_ok=True)
        self.say(f"[{ins.line}] VOLUME {' '.join(ins.words())}")

    def do_shell(self, ins: Instruction) -> None:
        self.shell = ins.exec_form() or self.shell

    def do_add(self, ins: Instruction) -> None:
        self.do_copy(ins)

    def do_copy(self, ins: Instruction) -> None:
        flags, _ = ins.flags()
        if "from" in flags:
            raise CheckFailed(f"line {ins.line}: COPY --from is not replayed by this check")
        words = [expand(w, {**self.build_args, **self.image_env}) for w in ins.words()]
        sources, dest = words[:-1], words[-1]
        target = self.host(dest)
        into_dir = dest.endswith("/") or len(sources) > 1
        for source in sources:
            matches = sorted(self.context.glob(source.rstrip("/"))) if source else []
            if not matches:
                raise CheckFailed(f"line {ins.line}: COPY {source}: not in the build context")
            for match in matches:
                rel = match.relative_to(self.context).as_posix()
                if self.ignore.ignored(rel):
                    raise CheckFailed(f"line {ins.line}: COPY {rel}: excluded by .dockerignore")
                if match.is_dir():
                    self._copy_tree(match, target)
                else:
                    out = target / match.name if into_dir or target.is_dir() else target
                    out.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(match, out)
        self.say(f"[{ins.line}] COPY {' '.join(sources)} -> {dest}")

    def _copy_tree(self, source: Path, target: Path) -> None:
        for path in sorted(source.rglob("*")):
            rel = path.relative_to(self.context).as_posix()
            if path.is_dir() or self.ignore.ignored(rel):
                continue
            out = target / path.relative_to(source)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, out)

    def do_run(self, ins: Instruction) -> None:
        command = ins.flags()[1]
        shown = " ".join(command.split())
        self.say(f"[{ins.line}] RUN {shown}")
        exec_form = ins.exec_form()
        if exec_form is not None:
            command = shlex.join(exec_form)
        command, replaced = without_torch_index(command)
        if replaced:
            self.say(
                "  note: download.pytorch.org cannot be reached here; torch comes instead from "
                "this machine's plain `pip install torch==...` (its CPU build, on local disk)"
            )
        self.skipped_log.write_text("")
        cwd = self.host(self.workdir)
        started = time.monotonic()
        mapped = to_host(command, self.root)
        self._run([*self.shell, mapped], env=self.env(building=True), cwd=cwd, shown=shown)
        for line in self.skipped_log.read_text().splitlines():
            line = line.replace(f"{self.root}/", "/")
            self.skipped.append(line)
            self.say(f"  skipped (OS-level user setup, no such user here): {line}")
        self.say(f"  ok ({time.monotonic() - started:.0f} s)")

    def _run(self, cmd: list[str], *, env: dict[str, str], cwd: Path, shown: str) -> str:
        log = self.tmp / "step.log"
        with log.open("w") as out:
            code = subprocess.run(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        output = log.read_text(errors="replace")
        if code.returncode != 0:
            tail = "\n".join(output.splitlines()[-40:]).replace(f"{self.root}/", "/")
            raise CheckFailed(f"exit status {code.returncode}: {shown}\n{tail}")
        return output

    # After the build --------------------------------------------------------------------------

    def run_in_image(self, command: list[str]) -> str:
        shown = shlex.join(command)
        self.say(f"$ {shown}")
        return self._run(
            command, env=self.env(building=False), cwd=self.host(self.workdir), shown=shown
        )


def final_commands(instructions: list[Instruction]) -> list[list[str]]:
    """What must work in the built image: the CLI, the config check, CMD and HEALTHCHECK exist."""
    commands = [["pip", "check"], ["trendbot", "--help"], ["trendbot", "config", "check"]]
    for ins in instructions:
        if ins.keyword == "CMD":
            words = ins.exec_form() or shlex.split(ins.args)
            commands.append([*words, "--help"])
        elif ins.keyword == "HEALTHCHECK":
            rest = ins.flags()[1]
            if rest.upper().startswith("CMD"):
                probe = Instruction("CMD", rest[3:].strip(), ins.line)
                words = probe.exec_form() or shlex.split(re.split(r"\|\||&&|;", probe.args)[0])
                commands.append([*words, "--help"])
    return commands


def _size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def replay(
    dockerfile: Path,
    context: Path,
    tmp: Path,
    *,
    commands: list[list[str]] | None = None,
    say: Callable[[str], None] = print,
    with_pip: bool = True,
) -> Replay:
    """Replay `dockerfile` under `tmp`, then run `commands` (default: `final_commands`) in it."""
    instructions = parse_dockerfile(dockerfile.read_text())
    image = Replay(tmp, context, say=say, with_pip=with_pip)
    for ins in instructions:
        image.apply(ins)
    cache = image.root / "root" / ".cache" / "pip"
    if cache.exists() and any(cache.rglob("*")):
        raise CheckFailed(
            f"pip left its cache in the image ({_size_mb(cache):.0f} MB): "
            "use --no-cache-dir or ENV PIP_NO_CACHE_DIR=1"
        )
    if with_pip:
        say(f"site-packages: {_size_mb(image.venv / 'lib'):.0f} MB")
    for command in final_commands(instructions) if commands is None else commands:
        output = image.run_in_image(command).replace(f"{image.root}/", "/")
        for line in output.splitlines()[:12]:
            say(f"  {line}")
    return image


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dockerfile", type=Path, default=REPO / "Dockerfile")
    parser.add_argument("--context", type=Path, default=None, help="default: the Dockerfile's dir")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir, and print it")
    args = parser.parse_args(argv)
    context = (args.context or args.dockerfile.parent).resolve()
    tmp = Path(tempfile.mkdtemp(prefix="check-dockerfile-"))
    started = time.monotonic()
    try:
        replay(args.dockerfile.resolve(), context, tmp)
    except CheckFailed as e:
        print(f"FAILED: {e}")
        return 1
    finally:
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"OK ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
