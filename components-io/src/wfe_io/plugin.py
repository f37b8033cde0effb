"""The plugin wfe loads from this distribution's ``wfe.plugins`` entry point.

It only *names* the components (lazy ``"module:Class"`` targets); their modules,
and the heavy libraries they use, are imported when a workflow uses them.
"""

from __future__ import annotations

from wfe import ComponentRef, hookimpl

#: The components this distribution provides.
COMPONENTS: list[ComponentRef] = []


@hookimpl
def wfe_register_components() -> list[ComponentRef]:
    return list(COMPONENTS)
