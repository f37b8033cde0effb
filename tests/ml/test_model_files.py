"""Loading model files safely (wfe_ml.model_files): the .sha256 sidecar, the warning for
unpinned pickles, and the operator policy's rules for models and estimators."""

from __future__ import annotations

import hashlib
import pickle
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import wfe
import wfe_ml
from wfe.records import find_record, read_summaries
from wfe_ml.model_files import ModelFileError, UnpinnedModelWarning, load_model, save_model

UsePolicy = Callable[[str], Path]
RunWfe = Callable[..., subprocess.CompletedProcess[str]]


def fitted() -> LogisticRegression:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x1": rng.normal(size=50), "x2": rng.normal(size=50)})
    return LogisticRegression().fit(frame, (frame["x1"] > 0).astype(int))


class _Payload:
    """Unpickling this writes a file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> Any:
        return (Path.write_text, (self.marker, "code ran"))


def payload(marker: Path) -> bytes:
    return pickle.dumps(_Payload(marker))


# -- the sidecar ------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["", "file://"])
def test_a_file_swapped_in_next_to_its_sidecar_is_refused_before_unpickling(
    tmp_path: Path, scheme: str
) -> None:
    path = tmp_path / "m.joblib"
    save_model(fitted(), str(path))
    marker = tmp_path / "pwned.txt"
    path.write_bytes(payload(marker))
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(ModelFileError) as info:
        load_model(f"{scheme}{path}")
    assert f"its sha256 is {actual}, but {scheme}{path}.sha256 beside it says" in str(info.value)
    assert "nothing was unpickled" in str(info.value)
    assert not marker.exists()


def test_a_swapped_model_on_s3_is_refused_before_unpickling(
    s3: Any, bucket: str, tmp_path: Path
) -> None:
    uri = f"s3://{bucket}/models/m.joblib"
    save_model(fitted(), uri)
    marker = tmp_path / "pwned.txt"
    s3.put_object(Bucket=bucket, Key="models/m.joblib", Body=payload(marker))
    with pytest.raises(ModelFileError, match=r"m\.joblib\.sha256 beside it says"):
        load_model(uri)
    assert not marker.exists()


def test_a_model_matching_its_sidecar_loads_without_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    save_model(fitted(), str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert isinstance(load_model(str(path)), LogisticRegression)


def test_a_damaged_sidecar_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    save_model(fitted(), str(path))
    (tmp_path / "m.joblib.sha256").write_text("not a digest\n")
    with pytest.raises(ModelFileError, match=r"m\.joblib\.sha256 beside it is not a sha256sum"):
        load_model(str(path))


# -- unpinned, without a sidecar --------------------------------------------------------


def test_an_unpinned_pickle_without_a_sidecar_warns_with_its_digest_and_the_pin(
    tmp_path: Path,
) -> None:
    path = tmp_path / "m.joblib"
    save_model(fitted(), str(path))
    (tmp_path / "m.joblib.sha256").unlink()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.warns(UnpinnedModelWarning) as caught:
        assert isinstance(load_model(str(path)), LogisticRegression)
    [warning] = caught
    assert isinstance(warning.message, UnpinnedModelWarning)
    assert (warning.message.location, warning.message.sha256) == (str(path), digest)
    assert warning.message.pin == f"sha256: {digest}"
    assert f"pin it by adding `sha256: {digest}` under the task's params" in str(warning.message)
    assert wfe_ml.UnpinnedModelWarning is UnpinnedModelWarning
    assert issubclass(UnpinnedModelWarning, UserWarning)
    assert pickle.loads(pickle.dumps(warning.message)).pin == warning.message.pin


def test_the_warning_comes_before_unpickling_so_an_error_filter_refuses(tmp_path: Path) -> None:
    marker = tmp_path / "pwned.txt"
    evil = tmp_path / "model.joblib"
    evil.write_bytes(payload(marker))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnpinnedModelWarning)
        with pytest.raises(UnpinnedModelWarning):
            load_model(str(evil))
    assert not marker.exists()


def test_skops_files_need_no_pin(tmp_path: Path, use_policy: UsePolicy) -> None:
    use_policy("require_model_pin = true\n")
    path = tmp_path / "m.skops"
    save_model(fitted(), str(path))
    (tmp_path / "m.skops.sha256").unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert isinstance(load_model(str(path)), LogisticRegression)


# -- the operator policy: require_model_pin ---------------------------------------------


def test_require_model_pin_refuses_unpinned_pickles_even_with_a_sidecar(
    tmp_path: Path, use_policy: UsePolicy
) -> None:
    policy = use_policy("require_model_pin = true\n")
    path = tmp_path / "m.joblib"
    digest = save_model(fitted(), str(path))
    with pytest.raises(ModelFileError) as info:
        load_model(str(path))
    assert str(info.value) == (
        f"loading {path} without a sha256 pin is refused by the operator policy {policy} "
        f"(require_model_pin = true); its sha256 is {digest}: if you trust the file, pin it by "
        f"adding `sha256: {digest}` under the task's params (or save it as .skops)"
    )
    assert isinstance(load_model(str(path), sha256=digest), LogisticRegression)


def test_require_model_pin_refuses_an_unpinned_model_on_s3(
    s3: Any, bucket: str, use_policy: UsePolicy
) -> None:
    use_policy("require_model_pin = true\n")
    uri = f"s3://{bucket}/m.joblib"
    digest = save_model(fitted(), uri)
    with pytest.raises(ModelFileError, match="require_model_pin = true"):
        load_model(uri)
    assert isinstance(load_model(uri, sha256=digest), LogisticRegression)


def predict_flow(model_param: str = "", model_input: str = "") -> str:
    return (
        "workflow_name: predict\ntasks:\n"
        "  - {name: load, component_name: csv_loader, params: {path: rows.csv}, outputs: [rows]}\n"
        "  - name: predict\n    component_name: sklearn_predictor\n"
        f"    params: {{id_column: x1{model_param}}}\n"
        f"    inputs: {{data_to_predict: rows{model_input}}}\n    outputs: [predictions]\n"
    )


def test_require_model_pin_refuses_a_model_path_param_at_validate_time(
    use_policy: UsePolicy,
) -> None:
    policy = use_policy("require_model_pin = true\n")
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(predict_flow(", model_path: models/m.joblib"), source="p.yaml")
    [problem] = info.value.problems
    assert str(problem.location) == "p.yaml:6:41"
    assert problem.message.startswith(
        f"model_path 'models/m.joblib' without a sha256 pin is refused by the operator policy "
        f"{policy} (require_model_pin = true); add `sha256: <hex>` under params"
    )
    wfe.loads(predict_flow(", model_path: models/m.joblib, sha256: " + "a" * 64))
    wfe.loads(predict_flow(", model_path: models/m.skops"))


@pytest.mark.slow  # wfe runs that train and load models in subprocesses: ~2 s
def test_without_a_policy_an_unpinned_model_runs_with_the_warning_shown_and_recorded(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    model = tmp_path / "m.joblib"
    save_model(fitted(), str(model))
    (tmp_path / "m.joblib.sha256").unlink()
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    pd.DataFrame({"x1": [0.5, -0.5], "x2": [0.0, 1.0]}).to_csv(tmp_path / "rows.csv", index=False)
    flow = tmp_path / "flow.yaml"
    flow.write_text(predict_flow(model_input=f", model_path: 'file://{model}'"))
    done = run_wfe("run", str(flow), cwd=tmp_path, env={"WFE_POLICY": ""})
    assert done.returncode == 0, done.stderr
    assert "UnpinnedModelWarning" in done.stderr
    assert f"`sha256: {digest}`" in done.stderr
    assert "    warning: UnpinnedModelWarning: loading file://" in done.stdout
    [record] = [
        find_record(s["run_id"], tmp_path / ".wfe" / "runs")
        for s in read_summaries(tmp_path / ".wfe" / "runs")
    ]
    assert record is not None
    [warned] = [t for t in record["tasks"].values() if t.get("warnings")]
    assert warned["warnings"][0]["category"] == "UnpinnedModelWarning"
    assert warned["warnings"][0]["sha256"] == digest
    assert warned["warnings"][0]["pin"] == f"sha256: {digest}"
    policy = tmp_path / "policy.toml"
    policy.write_text("require_model_pin = true\n")
    refused = run_wfe(
        "run", str(flow), "--no-record", cwd=tmp_path, env={"WFE_POLICY": str(policy)}
    )
    assert refused.returncode == 1  # a model_path *input* is refused by the loader, at run time
    assert f"(require_model_pin = true); its sha256 is {digest}" in refused.stderr


# -- the operator policy: allow_any_estimator -------------------------------------------


def trainer_flow(estimator: str, allow_any: bool) -> str:
    return (
        "workflow_name: t\ntasks:\n"
        "  - {name: d, component_name: python_function, params: {function: 'json:loads', kwargs: {s: '1'}}, outputs: [d]}\n"
        "  - name: t\n    component_name: sklearn_trainer\n    inputs: {train: d}\n    outputs: [m]\n"
        f"    params: {{target: y, estimator: {estimator}, allow_any_estimator: {str(allow_any).lower()}}}\n"
    )


def test_a_policy_can_refuse_allow_any_estimator_before_importing_it(
    use_policy: UsePolicy,
) -> None:
    policy = use_policy("allow_any_estimator = false\n")
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(trainer_flow("no_such_package_xyz.Model", allow_any=True), source="t.yaml")
    [problem] = info.value.problems  # refused, not "cannot import": nothing was imported
    assert str(problem.location) == "t.yaml:8:84"
    assert problem.message == (
        f"allow_any_estimator: true is refused by the operator policy {policy} "
        "(allow_any_estimator = false); use a scikit-learn estimator (an import path starting "
        "with sklearn.) and remove allow_any_estimator"
    )
    wfe.loads(trainer_flow("sklearn.linear_model.LogisticRegression", allow_any=False))
    use_policy("")  # a policy without the rule: allowed again
    wfe.loads(trainer_flow("sklearn.linear_model.LogisticRegression", allow_any=True))


@pytest.mark.slow  # wfe subprocesses that import scikit-learn: ~1.6 s
def test_validate_refuses_allow_any_estimator_under_the_policy(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    flow = tmp_path / "t.yaml"
    flow.write_text(trainer_flow("sklearn.linear_model.LogisticRegression", allow_any=True))
    policy = tmp_path / "policy.toml"
    policy.write_text("allow_any_estimator = false\n")
    done = run_wfe("validate", str(flow), env={"WFE_POLICY": str(policy)})
    assert done.returncode == 2
    assert f"{flow}:8:" in done.stderr
    assert f"refused by the operator policy {policy} (allow_any_estimator = false)" in done.stderr
    assert run_wfe("validate", str(flow), env={"WFE_POLICY": ""}).returncode == 0
