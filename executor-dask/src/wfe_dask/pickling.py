"""wfe's errors keep their own pickling in a process that has imported ``distributed``.

Importing ``distributed`` runs ``tblib.pickling_support.install()``, which registers a
reducer (in ``copyreg``, process-wide) for every exception class defined at that moment,
wfe's included. That reducer pickles an error's ``__cause__`` as it is, bypassing
:class:`wfe.TaskError`'s own ``__reduce__``, which sends a stand-in
(:class:`wfe.RemoteError`) for a cause that cannot be unpickled elsewhere: a task whose
exception class takes two arguments would fail to report at all. Dropping those
registrations for wfe's classes (and only theirs) puts their own rules back.
"""

from __future__ import annotations

import copyreg

from wfe.errors import WorkflowError

__all__ = ["keep_wfe_error_pickling"]


def keep_wfe_error_pickling() -> None:
    """Undo tblib's reducers for wfe's exception classes (cheap; safe to repeat)."""
    table = copyreg.dispatch_table
    classes: list[type] = [WorkflowError]
    while classes:
        cls = classes.pop()
        table.pop(cls, None)
        classes.extend(cls.__subclasses__())
