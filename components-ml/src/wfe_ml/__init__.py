"""wfe_ml: machine-learning components: feature engineering, training, evaluation and prediction for wfe.

The engine finds these components through the ``wfe.plugins`` entry point declared
in this distribution's pyproject.toml (see :mod:`wfe_ml.plugin`); it never imports
this package by name.
"""

from __future__ import annotations

from typing import Any

# The warnings and errors a caller may filter or catch. They live in wfe_ml.model_files
# and are imported on first use (PEP 562): discovery imports this package, and must
# stay light.
__all__ = ["ModelFileError", "ModelVersionWarning", "UnpinnedModelWarning"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'wfe_ml' has no attribute {name!r}")
    from wfe_ml import model_files

    return getattr(model_files, name)
