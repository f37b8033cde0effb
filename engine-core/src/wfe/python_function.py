"""``python_function``: wire an existing Python function into a workflow.

::

    - name: clean
      component_name: python_function
      params:
        function: my_package.cleaning:drop_outliers   # "module:callable"
        kwargs: {threshold: 3.0}                      # optional constant arguments
      inputs: {frame: raw_df}                         # passed as keyword arguments
      outputs: [clean_df]

The function's return value is mapped onto the declared outputs: with one output it
is the value itself; with several, a tuple of that length or a mapping keyed by the
output names. ``wfe run`` can import modules that sit next to the workflow file.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from wfe.component import Component, Param, map_outputs

__all__ = ["PythonFunction", "resolve_function"]


def _split(path: str) -> tuple[str, str] | None:
    module, sep, attribute = path.partition(":")
    if not sep or not module or not attribute:
        return None
    if not all(p.isidentifier() for p in (*module.split("."), *attribute.split("."))):
        return None
    return module, attribute


@functools.lru_cache(maxsize=1024)
def _path_problem(path: str) -> str | None:
    """Why ``path`` cannot name a callable, checked without running the module."""
    parts = _split(path)
    if parts is None:
        return f"'{path}' is not of the form 'package.module:callable'"
    try:
        spec = importlib.util.find_spec(parts[0])
    except (ImportError, ValueError) as exc:
        return f"cannot find module '{parts[0]}': {exc}"
    if spec is None:
        return f"no module named '{parts[0]}' (is it installed, or next to the workflow file?)"
    return None


@functools.lru_cache(maxsize=1024)
def resolve_function(path: str) -> Callable[..., Any]:
    """Import ``"package.module:callable"`` and return the callable."""
    parts = _split(path)
    if parts is None:
        raise ValueError(f"'{path}' is not of the form 'package.module:callable'")
    obj: Any = importlib.import_module(parts[0])
    for name in parts[1].split("."):
        obj = getattr(obj, name)
    if not callable(obj):
        raise TypeError(f"'{path}' is a {type(obj).__name__}, not a callable")
    return obj  # type: ignore[no-any-return]


class PythonFunction(Component):
    """Call ``function(**inputs, **kwargs)`` and map its return value onto the outputs.

    Inputs are any names the function takes as keyword arguments; outputs are any
    number of names. Importing the module runs its top-level code, like any import.
    """

    params_schema = {
        "function": Param(str, doc="the callable to call, as 'package.module:callable'"),
        "kwargs": Param(dict, default=None, doc="constant keyword arguments for the call"),
    }

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        problem = _path_problem(params["function"]) if "function" in params else None
        return [("function", problem)] if problem else []

    @classmethod
    def code_identity(cls, params: Mapping[str, Any]) -> Mapping[str, Any]:
        """The function's module file, hashed (found on ``sys.path`` without importing
        it), so that editing the function gives the task a new fingerprint."""
        from wfe.sources import module_digest

        parts = _split(str(params.get("function", "")))
        return {"function": params["function"], **module_digest(parts[0])} if parts else {}

    def execute(self) -> dict[str, Any]:
        function = resolve_function(self.params["function"])
        kwargs = self.params["kwargs"]
        result = function(**self.inputs, **kwargs) if kwargs else function(**self.inputs)
        return map_outputs(result, self.outputs)
