"""The README's promises: the two commands first, every setting documented, CI runs make test."""

from pathlib import Path

from scripts.settings_table import rows

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_the_two_commands_come_first() -> None:
    head = README.splitlines()[:6]
    assert any(line.startswith("make run") for line in head)
    assert any(line.startswith("make test") for line in head)


def test_every_setting_is_documented() -> None:
    for var, _, _, _ in rows():
        assert f"`{var}`" in README, var


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "test:\n\tscripts/test.sh" in makefile and "run:\n\tscripts/run.sh" in makefile
