"""wfe's errors keep their own pickling where distributed is imported
(wfe_dask.pickling): a cause that cannot be unpickled travels as a stand-in."""

from __future__ import annotations

import copyreg
import pickle
from collections.abc import Iterator

import pytest
import tblib.pickling_support
from wfe_test_workers import TwoPartError

import wfe
from wfe_dask.pickling import keep_wfe_error_pickling


@pytest.fixture
def tblib_installed() -> Iterator[None]:
    """What importing distributed does to a class defined before it (restored after)."""
    tblib.pickling_support.install(wfe.TaskError)
    try:
        yield
    finally:
        copyreg.dispatch_table.pop(wfe.TaskError, None)


def odd_error() -> wfe.TaskError:
    try:
        raise TwoPartError("bad", "worse")
    except TwoPartError as exc:
        return wfe.TaskError("t", "python_function", "TwoPartError: bad and worse", None, exc)


@pytest.mark.usefixtures("tblib_installed")
def test_tblib_alone_makes_such_an_error_unreadable() -> None:
    with pytest.raises(TypeError):
        pickle.loads(pickle.dumps(odd_error()))


@pytest.mark.usefixtures("tblib_installed")
def test_wfe_errors_get_their_own_pickling_back() -> None:
    keep_wfe_error_pickling()
    copy = pickle.loads(pickle.dumps(odd_error()))
    assert isinstance(copy.__cause__, wfe.RemoteError)
    assert copy.__cause__.type_name == "TwoPartError"
    assert copy.cause_text == "TwoPartError: bad and worse"
