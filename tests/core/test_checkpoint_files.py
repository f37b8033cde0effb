"""wfe.checkpoint_files: Arrow IPC for DataFrames, pickle for the rest, hashed while written."""

from __future__ import annotations

import builtins
import io
import json
from pathlib import Path
from typing import Any

import pytest
import xxhash

from wfe import checkpoint_files
from wfe.checkpoint_files import DamagedFileError, file_problem, read_output, write_output

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")
pytest.importorskip("pyarrow")


def exact_frames() -> dict[str, Any]:
    """Frames Arrow gives back exactly (values, dtypes, index, column labels, attrs)."""
    with_attrs = pd.DataFrame({"x": [1, 2]})
    with_attrs.attrs = {"source": "test"}
    return {
        "floats": pd.DataFrame(np.arange(12.0).reshape(4, 3), columns=["a", "b", "c"]),
        "nan_and_inf": pd.DataFrame({"x": [1.0, np.nan, np.inf]}),
        "nullable": pd.DataFrame(
            {
                "i": pd.array([1, None], dtype="Int64"),
                "b": pd.array([True, None], dtype="boolean"),
            }
        ),
        "strings_with_none": pd.DataFrame({"s": pd.array(["a", None], dtype="string")}),
        "categorical": pd.DataFrame(
            {"c": pd.Categorical(["a", "b", "a"], categories=["b", "a"], ordered=True)}
        ),
        "times": pd.DataFrame(
            {
                "t": pd.to_datetime(["2024-01-01", None]),
                "tz": pd.date_range("2024", periods=2, tz="Europe/Paris"),
                "td": pd.to_timedelta([1, 2], unit="s"),
            }
        ),
        "named_index": pd.DataFrame({"x": [1, 2]}, index=pd.Index([10, 20], name="k")),
        "multi_index": pd.DataFrame(
            {"x": [1, 2]}, index=pd.MultiIndex.from_tuples([(1, 2), (3, 4)], names=["i", "j"])
        ),
        "range_step": pd.DataFrame({"x": [1, 2]}, index=pd.RangeIndex(10, 14, 2)),
        "attrs": with_attrs,
    }


def pickled_frames() -> dict[str, Any]:
    """Frames Arrow would change (labels, inferred types, an index freq): pickled."""
    return {
        "int_labels": pd.DataFrame({1: [1, 2], 2: [3, 4]}),
        "duplicate_labels": pd.DataFrame([[1, 2]], columns=["a", "a"]),
        "mixed_objects": pd.DataFrame({"o": pd.Series([1, "a"], dtype=object)}),
        "freq_index": pd.DataFrame({"x": [1, 2]}, index=pd.date_range("2024", periods=2)),
        "no_columns": pd.DataFrame(index=[1, 2]),
        "sparse": pd.DataFrame({"s": pd.arrays.SparseArray([0, 1, 0])}),
        "complex": pd.DataFrame({"c": np.array([1 + 1j])}),
    }


def roundtrip(tmp_path: Path, value: Any) -> tuple[dict[str, Any], Any]:
    entry = write_output(tmp_path, "output-0", value)
    return entry, read_output(tmp_path / entry["file"], entry)


@pytest.mark.parametrize("name", sorted(exact_frames()))
def test_frames_arrow_keeps_exactly_are_arrow_files(tmp_path: Path, name: str) -> None:
    frame = exact_frames()[name]
    entry, back = roundtrip(tmp_path, frame)
    assert entry["format"] == "arrow"
    assert entry["file"] == "output-0.arrow"
    pd.testing.assert_frame_equal(back, frame, check_exact=True, check_column_type=True)
    assert back.attrs == frame.attrs


@pytest.mark.parametrize("name", sorted(pickled_frames()))
def test_frames_arrow_would_change_are_pickled(tmp_path: Path, name: str) -> None:
    frame = pickled_frames()[name]
    entry, back = roundtrip(tmp_path, frame)
    assert entry["format"] == "pickle"
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    assert getattr(back.index, "freq", None) == getattr(frame.index, "freq", None)


def test_other_values_are_pickled(tmp_path: Path) -> None:
    value = {"model": [1, 2, 3], "series": pd.Series([1.5, 2.5])}
    entry, back = roundtrip(tmp_path, value)
    assert entry["format"] == "pickle"
    assert back["model"] == [1, 2, 3]
    pd.testing.assert_series_equal(back["series"], value["series"])


def test_without_pyarrow_frames_are_pickled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoint_files, "_arrow_available", lambda: False)
    frame = exact_frames()["floats"]
    entry, back = roundtrip(tmp_path, frame)
    assert entry["format"] == "pickle"
    pd.testing.assert_frame_equal(back, frame)


def test_the_digest_is_computed_while_writing_not_by_reading_the_file_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = pd.DataFrame(np.random.default_rng(1).random((300_000, 4)), columns=list("abcd"))
    real_open, real_path_open = builtins.open, Path.open

    def no_reading(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        assert "r" not in mode, f"{file} was opened for reading while being saved"
        return real_open(file, mode, *args, **kwargs)

    def no_reading_path(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        assert "r" not in mode, f"{self} was opened for reading while being saved"
        return real_path_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", no_reading)
    monkeypatch.setattr(Path, "open", no_reading_path)
    entry = write_output(tmp_path, "output-0", frame)
    monkeypatch.undo()
    data = (tmp_path / "output-0.arrow").read_bytes()
    assert entry["bytes"] == len(data)
    assert entry["xxh3_128"] == xxhash.xxh3_128(data).hexdigest()
    pickled = write_output(tmp_path, "output-1", {"x": frame})
    data = (tmp_path / "output-1.pkl").read_bytes()
    assert pickled["xxh3_128"] == xxhash.xxh3_128(data).hexdigest()


def test_a_loaded_frame_maps_the_file_yet_behaves_like_any_frame(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": np.arange(1000.0), "b": np.arange(1000)})
    frame.loc[3, "a"] = np.nan  # NaN is kept as a value: the column still maps
    entry, back = roundtrip(tmp_path, frame)
    for name in ("a", "b"):
        assert not back[name].to_numpy().flags.owndata  # views of the mapped file
    assert np.isnan(back.loc[3, "a"])
    back.loc[0, "a"] = -1.0  # copy-on-write: the column is copied first
    back["b"] += 1
    assert back.loc[0, "a"] == -1.0
    assert back["b"].iloc[0] == 1
    again = read_output(tmp_path / entry["file"], entry)  # the file is unchanged
    pd.testing.assert_frame_equal(again, frame)


def test_damage_is_detected_before_anything_is_built(tmp_path: Path) -> None:
    entry = write_output(tmp_path, "output-0", {"x": 1})
    path = tmp_path / entry["file"]
    data = bytearray(path.read_bytes())
    data[-2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert file_problem(path, entry) == f"{path} is damaged: its digest does not match its manifest"
    with pytest.raises(DamagedFileError, match="is damaged"):
        read_output(path, entry)
    path.write_bytes(bytes(data[:-1]))
    size = len(data) - 1
    with pytest.raises(DamagedFileError, match=f"has {size} bytes, its manifest says {size + 1}"):
        read_output(path, entry, verify=False)  # a wrong size is refused even unverified


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    entry = write_output(tmp_path, "output-0", {"x": 1})
    with pytest.raises(DamagedFileError, match="unknown checkpoint format 'parquet'"):
        read_output(tmp_path / entry["file"], {**entry, "format": "parquet"})


def test_manifest_entries_are_plain_json(tmp_path: Path) -> None:
    entry = write_output(tmp_path, "output-0", exact_frames()["floats"])
    assert json.loads(json.dumps(entry)) == entry
    assert set(entry) == {"file", "format", "bytes", "xxh3_128"}
    assert io.BytesIO((tmp_path / entry["file"]).read_bytes()).read(6) == b"ARROW1"
