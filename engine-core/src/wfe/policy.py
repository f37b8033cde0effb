"""The operator policy: what workflow files may make wfe execute on this machine.

A workflow file holds data, but some of that data names code: ``python_function``
imports and calls any function, ``sklearn_trainer`` with ``allow_any_estimator``
imports any class, and a pickled model file runs whatever it contains when loaded.
When the people who write workflow files are not the people who run wfe (a platform
team running many teams' workflows on one engine), the operator limits that with a
TOML file::

    # /etc/wfe/policy.toml (or the file WFE_POLICY names)
    allowed_function_modules = ["my_team.", "pandas"]   # python_function: these only
    allow_any_estimator = false    # refuse `allow_any_estimator: true`
    require_model_pin = true       # refuse pickle/joblib model files without sha256

Which file: ``$WFE_POLICY`` when set (it must exist); otherwise ``/etc/wfe/policy.toml``
when it exists; otherwise no policy (everything allowed, as before). The file is read
once per process: by ``wfe validate`` and ``wfe run`` before they load a workflow, by
``wfe components list`` to show it, and in Python when a task that a rule covers is
checked. A broken file (bad TOML, an unknown key, a wrong type) is a
:class:`~wfe.errors.PolicyError` naming the file. Reading it imports only
:mod:`tomllib`, and only when there is a file.

Each rule is enforced where the reference is checked: ``python_function``'s
validation, ``sklearn_trainer``'s validation and the model loader of
``components-ml``. A refusal is a definition error at the offending param (file,
line, column, task) naming this file and the rule.

A policy limits what a workflow *file* can reach; it is not a sandbox. An allowed
module's own code, and anything it imports, runs with the user's rights.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from wfe.errors import PolicyError

__all__ = [
    "DEFAULT_POLICY_FILE",
    "NO_POLICY",
    "POLICY_VARIABLE",
    "Policy",
    "callable_refusal",
    "current_policy",
    "function_refusal",
]

POLICY_VARIABLE = "WFE_POLICY"
DEFAULT_POLICY_FILE = Path("/etc/wfe/policy.toml")

_KEYS = ("allowed_function_modules", "allow_any_estimator", "require_model_pin")


class Policy(NamedTuple):  # not a dataclass: `wfe components list` defines it at start-up
    """The rules in force; the defaults allow everything (no policy file)."""

    #: the policy file, or None when no policy is in force
    path: str | None = None
    #: python_function may only call functions of these modules (and their submodules);
    #: None: any module
    allowed_function_modules: tuple[str, ...] | None = None
    #: False: a task may not set ``allow_any_estimator: true``
    allow_any_estimator: bool = True
    #: True: a pickle/joblib model file must be pinned with ``sha256``
    require_model_pin: bool = False

    def restrictions(self) -> list[str]:
        """What the policy restricts, one phrase per rule."""
        found = []
        if self.allowed_function_modules is not None:
            modules = ", ".join(self.allowed_function_modules) or "none"
            found.append(f"python_function limited to modules {modules}")
        if not self.allow_any_estimator:
            found.append("allow_any_estimator refused")
        if self.require_model_pin:
            found.append("pickle/joblib model files must be pinned with sha256")
        return found

    def summary(self) -> str:
        """One line for ``wfe components list``."""
        if self.path is None:
            return (
                f"policy: none (set {POLICY_VARIABLE} or create {DEFAULT_POLICY_FILE} to limit "
                "what workflow files may run)"
            )
        rules = "; ".join(self.restrictions()) or "no restrictions"
        return f"policy: {self.path}: {rules}"

    def as_json(self) -> dict[str, Any]:
        """For ``wfe components list --json``: the rules and the same phrases."""
        return {
            "path": self.path,
            "allowed_function_modules": (
                None
                if self.allowed_function_modules is None
                else list(self.allowed_function_modules)
            ),
            "allow_any_estimator": self.allow_any_estimator,
            "require_model_pin": self.require_model_pin,
            "restrictions": self.restrictions(),
        }

    def refusal(self, what: str, rule: str, fix: str) -> str:
        """The message for a reference this policy refuses: what, the file, the rule,
        what to do."""
        return f"{what} is refused by the operator policy {self.path} ({rule}); {fix}"

    def allows_module(self, module: str) -> bool:
        """Whether python_function may call into ``module``. Prefixes match on dotted
        boundaries: ``os`` allows ``os`` and ``os.path``, not ``osmosis``."""
        if self.allowed_function_modules is None:
            return True
        return any(
            module == prefix or module.startswith(prefix + ".")
            for prefix in self.allowed_function_modules
        )


NO_POLICY = Policy()


def current_policy() -> Policy:
    """The policy in force in this process (see the module docstring)."""
    return _policy_for(os.environ.get(POLICY_VARIABLE) or None)


def function_refusal(function: object) -> str | None:
    """Why the policy refuses ``python_function``'s ``function`` param, or None.

    Only the module named before ``:`` is checked; a malformed reference is left to
    python_function's own validation."""
    if not isinstance(function, str) or ":" not in function:
        return None
    policy = current_policy()
    module = function.partition(":")[0]
    if policy.allows_module(module):
        return None
    allowed = ", ".join(policy.allowed_function_modules or ()) or "none"
    return policy.refusal(
        f"function '{function}'",
        f"allowed_function_modules: {allowed}",
        f"module '{module}' is not among them: call a function from an allowed module, or ask "
        "the operator to allow this one",
    )


def callable_refusal(function: object, reference: str) -> str | None:
    """Why the policy refuses the callable that ``reference`` resolved to, or None.

    The static check sees only the module named before ``:``; attributes can still lead
    elsewhere (``pandas:io.common.os.system`` is ``os.system``). So at run time the
    callable's own module must be allowed too; one whose module cannot be told is
    refused under a module limit."""
    policy = current_policy()
    if policy.allowed_function_modules is None:
        return None
    home = getattr(function, "__module__", None)
    if isinstance(home, str) and policy.allows_module(home):
        return None
    allowed = ", ".join(policy.allowed_function_modules) or "none"
    where = f"module '{home}'" if isinstance(home, str) else "a module it cannot tell"
    return policy.refusal(
        f"function '{reference}'",
        f"allowed_function_modules: {allowed}",
        f"it resolves to a callable from {where}, which is not among them",
    )


@functools.lru_cache(maxsize=8)
def _policy_for(variable: str | None) -> Policy:
    """The policy for one value of ``$WFE_POLICY`` (read once per process)."""
    if variable is not None:
        path = Path(variable)
        if not path.is_file():
            from wfe.errors import PolicyError

            raise PolicyError(
                f"operator policy {path} (from {POLICY_VARIABLE}): no such file; "
                f"fix {POLICY_VARIABLE} or create the file"
            )
    elif DEFAULT_POLICY_FILE.is_file():
        path = DEFAULT_POLICY_FILE
    else:
        return NO_POLICY
    return _parse(path)


def _parse(path: Path) -> Policy:
    import tomllib

    from wfe.errors import PolicyError

    def broken(what: str) -> PolicyError:
        if path == DEFAULT_POLICY_FILE:
            return PolicyError(f"operator policy {path}: {what}; fix the file")
        return PolicyError(
            f"operator policy {path} (from {POLICY_VARIABLE}): {what}; fix the file or "
            f"{POLICY_VARIABLE}"
        )

    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise broken(f"not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise broken(f"cannot read it: {exc}") from None
    for key in table:
        if key not in _KEYS:
            from wfe.suggest import did_you_mean

            hint = did_you_mean(key, _KEYS)
            raise broken(
                f"unknown key '{key}'"
                + (f" ({hint})" if hint else "")
                + "; known keys: "
                + ", ".join(_KEYS)
            )
    return Policy(
        path=str(path),
        allowed_function_modules=_modules(table, broken),
        allow_any_estimator=_flag(table, "allow_any_estimator", True, broken),
        require_model_pin=_flag(table, "require_model_pin", False, broken),
    )


_Broken = Callable[[str], "PolicyError"]


def _flag(table: Mapping[str, Any], key: str, default: bool, broken: _Broken) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise broken(f"{key} must be true or false, got {value!r}")
    return value


def _modules(table: Mapping[str, Any], broken: _Broken) -> tuple[str, ...] | None:
    if "allowed_function_modules" not in table:
        return None
    value = table["allowed_function_modules"]
    if not isinstance(value, list):
        raise broken(
            f"allowed_function_modules must be a list of module names, got {value!r} "
            '(write e.g. allowed_function_modules = ["my_team.", "pandas"])'
        )
    modules = []
    for entry in value:
        name = entry.removesuffix(".") if isinstance(entry, str) else entry
        if not isinstance(name, str) or not all(p.isidentifier() for p in name.split(".")):
            raise broken(
                f"allowed_function_modules: {entry!r} is not a module name such as "
                "'my_team' or 'my_team.steps' (a trailing '.' is allowed)"
            )
        modules.append(name)
    return tuple(modules)
