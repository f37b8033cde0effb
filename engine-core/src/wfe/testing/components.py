"""Run one component as the engine runs a task, without writing a workflow.

A unit test of a component should exercise what a workflow would: the task checked
against the component's declared schema, the component built and executed, its outputs
checked against the task's declared outputs. :func:`run_component` does exactly that
with the engine's own pieces (:func:`wfe.component.check_task_definition` and
:class:`wfe.taskcall.TaskCall`), so a component that passes here behaves the same in
``wfe run``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wfe.plugins import ComponentRef, Plugins

__all__ = ["run_component"]


def run_component(
    component: str | type,
    inputs: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    outputs: Sequence[str] | None = None,
    plugins: Plugins | None = None,
) -> dict[str, Any]:
    """Run ``component`` (an installed component's name, or a class) on ``inputs``
    with ``params``; return ``{output name: value}``.

    ``outputs`` are the task's output names; by default, the roles of the component's
    ``outputs_schema``. The task is checked first, as ``wfe validate`` checks it: a bad
    param or a missing input raises :class:`wfe.DefinitionError` listing every problem.
    An exception in the component is raised as itself (``pytest.raises(KeyError)``
    works), and so is the :class:`wfe.OutputMismatchError` for outputs other than the
    declared ones. ``plugins`` defaults to every installed plugin.
    """
    from types import MappingProxyType

    from wfe.component import check_task_definition
    from wfe.errors import DefinitionError
    from wfe.spec import TaskSpec
    from wfe.taskcall import TaskCall

    ref = _component_ref(component, plugins)
    cls = ref.load()
    names = _output_names(ref.name, cls, outputs)
    given_inputs = dict(inputs or {})
    given_params = dict(params or {})
    problems = check_task_definition(
        cls,
        component_name=ref.name,
        task=ref.name,
        index=0,
        params=given_params,
        inputs=given_inputs,
        outputs=names,
    )
    if problems:
        raise DefinitionError(problems, f"run_component({ref.name!r})")
    # Each input is read from the value of the same name, as a task reads another's output.
    wiring = MappingProxyType({name: name for name in given_inputs})
    params_view = MappingProxyType(given_params)
    task = TaskSpec(ref.name, ref.name, params=params_view, inputs=wiring, outputs=names)
    report, produced = TaskCall(task, ref, cls)(given_inputs)
    if report.error is not None:
        cause = report.error.__cause__
        raise cause if cause is not None else report.error
    assert produced is not None  # a call without an error has outputs
    return produced


def _component_ref(component: str | type, plugins: Plugins | None) -> ComponentRef:
    """The reference for a class, or the installed component called ``component``."""
    from wfe.errors import DefinitionError, Problem
    from wfe.plugins import ComponentRef, load_plugins
    from wfe.suggest import did_you_mean

    if isinstance(component, type):
        summary = (component.__doc__ or "").strip().splitlines()[:1]
        return ComponentRef(component.__name__, component, "".join(summary))
    if not isinstance(component, str):
        raise TypeError(
            f"run_component() takes a component's name or class, got {type(component).__name__}"
        )
    registry = (plugins if plugins is not None else load_plugins()).components()
    ref = registry.get(component)
    if ref is None:
        hint = did_you_mean(component, registry.refs)
        raise DefinitionError(
            [
                Problem(
                    "unknown-component",
                    f"no component named '{component}' is installed",
                    (f"{hint} " if hint else "")
                    + "install the distribution that provides it in the environment that runs "
                    "the tests (for your own: pip install -e .); `wfe components list` shows "
                    "what is installed",
                )
            ],
            "run_component",
        )
    return ref


def _output_names(name: str, cls: type, outputs: Sequence[str] | None) -> tuple[str, ...]:
    if outputs is not None:
        if isinstance(outputs, str):
            raise TypeError(f"outputs= takes a list of names, got the string {outputs!r}")
        return tuple(outputs)
    declared: Mapping[str, str] | None = getattr(cls, "outputs_schema", None)
    if declared is None:
        raise TypeError(
            f"component '{name}' declares no outputs_schema, so its outputs cannot be "
            "guessed: pass outputs=[...] with the names a task would list under outputs:"
        )
    return tuple(declared)
