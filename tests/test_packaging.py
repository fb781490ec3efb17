"""jixiao installs and imports like a package: only as installed, never as the clone's folder.

The slow test does what a new user does: clone the repository into a folder
named ``jixiao``, ``pip install -e`` it into a fresh virtual environment, run
Python from the folder that holds the clone (where the clone itself could
pass for a namespace package ``jixiao``), then run the README's analyst
commands inside the clone and check they leave nothing git would see.
The clone is of the committed HEAD with the working tree's uncommitted
changes to tracked files applied.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

#: The README's analyst commands: the fenced block after this marker.
FLOW_MARKER = "<!-- analyst-flow"


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_license_file_matches_pyproject() -> None:
    assert _pyproject()["project"]["license"] == {"text": "MIT"}
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


def test_the_package_declares_its_types_and_ships_its_assets() -> None:
    data = _pyproject()["tool"]["setuptools"]["package-data"]
    assert (ROOT / "jixiao" / "py.typed").is_file() and "py.typed" in data["jixiao"]
    assets = sorted(p.name for p in (ROOT / "output" / "report_assets").iterdir())
    assert assets == ["report.css", "report.js"] and data["jixiao.output"] == ["report_assets/*.css",
                                                                               "report_assets/*.js"]


def _readme_flow() -> tuple[list[str], str]:
    """The shell commands and the Python block of the README's analyst flow."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text[text.index(FLOW_MARKER):]
    shell, python = re.findall(r"```(?:bash|python)\n(.*?)```", after, re.DOTALL)[:2]
    commands = [line.split("  #")[0].strip() for line in shell.splitlines() if line.startswith("jixiao ")]
    return commands, python


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.slow
def test_a_fresh_clone_installs_imports_from_its_parent_and_runs_the_readme(tmp_path: Path) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "jixiao"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=300)
    diff = subprocess.run(["git", "-C", str(ROOT), "diff", "HEAD", "--binary"], check=True, capture_output=True,
                          timeout=60).stdout
    if diff:
        subprocess.run(["git", "-C", str(clone), "apply", "--whitespace=nowarn", "-"], input=diff, check=True,
                       timeout=60)

    venv = tmp_path / "venv"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], check=True,
                   timeout=300)
    # the dependencies come from the running environment, so nothing but the build itself is downloaded
    (site,) = venv.glob("lib/python*/site-packages")
    (site / "_test_dependencies.pth").write_text(
        "\n".join(p for p in sys.path if p.endswith("site-packages")) + "\n", encoding="utf-8")
    python, jixiao = venv / "bin" / "python", venv / "bin" / "jixiao"
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8",
           **{k: v for k, v in os.environ.items() if k.startswith(("PIP_", "SSL_", "REQUESTS_"))}}
    install = _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(clone)], tmp_path, env)
    if install.returncode != 0 and re.search(r"No matching distribution|Could not find a version|NewConnectionError",
                                             install.stderr):
        pytest.skip(f"the build requirements cannot be downloaded: {install.stderr.strip()[-300:]}")
    assert install.returncode == 0, install.stderr

    # from the folder that holds the clone: the installed package, not the folder
    imported = _run([str(python), "-c", "import jixiao; jixiao.open_dataset; print(jixiao.__file__)"], tmp_path, env)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == str(clone / "jixiao" / "__init__.py")
    version = _run([str(python), "-m", "jixiao", "--version"], tmp_path, env)
    assert version.returncode == 0 and version.stdout.startswith("jixiao, version "), version.stderr

    # the README's analyst flow, as written, inside the clone
    commands, python_block = _readme_flow()
    assert [c.split()[1] for c in commands] == ["run", "list", "report", "export"]
    for command in commands:
        result = _run([str(jixiao), *command.split()[1:]], clone, env)
        assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-2000:])
    block = _run([str(python), "-c", python_block + "\nprint(ds.projects['budget_wan_yuan'].dtype)"], clone, env)
    assert block.returncode == 0, block.stderr
    assert "decimal128(18, 2)[pyarrow]" in block.stdout
    assert (clone / "out" / "report.html").is_file() and (clone / "out" / "jixiao.duckdb").is_file()
    status = subprocess.run(["git", "-C", str(clone), "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True, timeout=60).stdout
    changed_by_diff = {line[3:] for line in status.splitlines() if line.startswith(" M")} if diff else set()
    assert [line for line in status.splitlines() if line[3:] not in changed_by_diff] == []
