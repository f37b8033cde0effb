"""wfe_ml: machine-learning components: feature engineering, training, evaluation and prediction for wfe.

The engine finds these components through the ``wfe.plugins`` entry point declared
in this distribution's pyproject.toml (see :mod:`wfe_ml.plugin`); it never imports
this package by name.
"""
