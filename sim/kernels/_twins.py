"""One kernel body compiled twice: a parallel kernel and its serial twin.

A parallel region waits for every one of its threads. On a machine whose
cores are busy with other work, a thread may wait milliseconds for a core, so
a week of a small organization (microseconds of work) must not enter one at
all. Instead of a second copy of each body, the same Python function is
compiled without ``parallel=True``, where ``prange`` is ``range``: the same
operations in the same order per item, so both give the same bits.
"""

import types

from numba import njit


def twins(body):
    """``(parallel, serial)``: ``body`` compiled with and without ``parallel=True``.

    Both are cached. The serial one is compiled from a copy of ``body`` named
    ``<name>_serial``: Numba's cache tells functions apart by file, name and
    line, not by their flags, so under one name each would load the other's
    machine code. It uses NumPy's error model, as Numba does for the body of
    a parallel loop: the same semantics (the kernels guard their divisions),
    and without a check for division by zero in the loop LLVM vectorizes it
    as in the parallel kernel (ladder_candidates: 2.3x faster than with
    Python's error model).
    """
    name = body.__name__ + "_serial"
    serial = types.FunctionType(body.__code__, body.__globals__, name, body.__defaults__,
                                body.__closure__)  # fmt: skip
    serial.__qualname__ = body.__qualname__ + "_serial"
    serial.__module__ = body.__module__
    serial.__doc__ = f":func:`{body.__name__}` on one thread (no parallel region)."
    return njit(cache=True, parallel=True)(body), njit(cache=True, error_model="numpy")(serial)
