"""MkDocs hook: the components reference, one page per installed distribution.

The pages are made at build time from the components' and executors' own declarations
(:mod:`wfe.reference`), so they list exactly what is installed where the site is built
(the nox ``docs`` session installs every distribution of the monorepo). An undocumented
component fails the build.
"""

from __future__ import annotations

from typing import Any

from mkdocs.structure.files import File, Files

PAGES: dict[str, str] = {}


def on_config(config: Any) -> Any:
    import wfe
    from wfe.reference import distribution_pages

    PAGES.clear()
    PAGES.update(distribution_pages(wfe.load_plugins()))
    pages = [{dist: f"reference/{dist}.md"} for dist in PAGES]
    for entry in config["nav"]:
        if isinstance(entry, dict) and "Components reference" in entry:
            entry["Components reference"] = ["reference/index.md", *pages]
    return config


def on_files(files: Files, config: Any) -> Files:
    listing = "\n".join(f"- [{dist}]({dist}.md)" for dist in PAGES)
    index = (
        "# Components reference\n\n"
        "Every component and executor installed where this site was built, one page per "
        "distribution, made from their own declarations (the same ones `wfe validate` "
        "checks and `wfe components show` prints).\n\n" + listing + "\n"
    )
    files.append(File.generated(config, "reference/index.md", content=index))
    for dist, text in PAGES.items():
        files.append(File.generated(config, f"reference/{dist}.md", content=text))
    return files
