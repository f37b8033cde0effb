"""The cached entry-point scan (wfe.discovery): current after any install or uninstall."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from wfe import discovery

from .test_plugins import GOOD_COMPONENTS, GOOD_PLUGIN, install_fake_distribution

RunWfe = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("WFE_NO_DISCOVERY_CACHE", raising=False)
    return home


def test_a_current_cache_answers_without_scanning(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    first = discovery.installed_entry_points()  # scans and writes the cache
    assert list((cache_home / "wfe" / "entry-points").glob("*.marshal"))

    def no_scan() -> list[discovery.EntryPoint]:
        raise AssertionError("scanned although the cache is current")

    monkeypatch.setattr(discovery, "_scan", no_scan)
    assert discovery.installed_entry_points() == first
    install_fake_distribution(site, "late-dist", "[wfe.plugins]\nlate = late_plugin\n", {})
    monkeypatch.undo()  # the real scan again, and the same path
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    monkeypatch.syspath_prepend(str(site))
    names = {e.name for e in discovery.installed_entry_points()}
    assert "late" in names  # the install changed the folder: the cache was not used


def test_install_and_uninstall_are_seen_through_the_cli(
    run_wfe: RunWfe, tmp_path: Path, cache_home: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    env = {
        "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
        "XDG_CACHE_HOME": str(cache_home),
    }

    def names() -> set[str]:
        done = run_wfe("components", "list", "--json", env=env)
        assert done.returncode == 0, done.stderr
        return {row["name"] for row in json.loads(done.stdout)["components"]}

    assert "shout" not in names()
    assert "shout" not in names()  # answered from the cache
    install_fake_distribution(
        site,
        "good-dist",
        "[wfe.plugins]\ngood = good_plugin\n",
        {"good_plugin": GOOD_PLUGIN, "good_components": GOOD_COMPONENTS},
    )
    assert "shout" in names()
    for info in site.glob("good_dist-*.dist-info"):  # uninstall, as pip does
        for file in info.iterdir():
            file.unlink()
        info.rmdir()
    assert "shout" not in names()


def test_an_unwritable_cache_folder_still_answers(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would go")
    site = tmp_path / "site"
    install_fake_distribution(site, "some-dist", "[wfe.plugins]\nsome = some_plugin\n", {})
    code = "from wfe import discovery; print(sorted(e.name for e in discovery.installed_entry_points()))"
    answers = []
    for extra in ({"XDG_CACHE_HOME": str(blocked)}, {"WFE_NO_DISCOVERY_CACHE": "1"}):
        path = os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": path, **extra},
            check=False,
        )
        assert done.returncode == 0, done.stderr
        answers.append(done.stdout)
    assert "'some'" in answers[0]
    assert answers[0] == answers[1]
