"""Blocks of windows on every core: one small thread pool for the loops.

The time loops take the batch in blocks of rows that do not depend on each
other. ``map_blocks`` hands the blocks to ``WORKERS`` threads: NumPy lets
go of Python's lock inside each element-wise call and matrix product, so
two threads keep two cores busy when the calls are long enough (blocks of
a few hundred rows; with a few dozen, the threads mostly wait for the
lock). Meanwhile OpenBLAS runs each product on the calling thread alone:
its own threads, on top of ours, made every product wait for them.

The blocks are the same whatever the number of threads, and each block is
computed the same way on any thread, so the results do not depend on
``WORKERS``.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["WORKERS", "map_blocks", "scratch_array"]

#: Threads for the blocks: the cores this process may run on.
WORKERS = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
           else os.cpu_count() or 1)

_pool = None
_blas = None
_local = threading.local()
_lock = threading.Lock()


def map_blocks(function, blocks):
    """``[function(block, scratch) for block in blocks]``, in that order,
    on up to ``WORKERS`` threads.

    ``scratch`` is a dict of the running thread's own for this call, for
    arrays a block fills and the next block on that thread reuses (made
    afresh at every call: a pool thread lives on, its arrays should not).
    With one block or one core everything runs here, as a plain loop;
    either way BLAS runs one thread per product meanwhile. If anything
    raises (Ctrl-C included) the blocks not yet started are dropped and
    the exception is raised here.
    """
    blocks = list(blocks)
    if getattr(_local, "worker", False):
        # a nested call, on a worker: inline (it could otherwise wait for
        # the very threads that wait for it), BLAS already on one thread
        scratch = {}
        return [function(block, scratch) for block in blocks]
    # one BLAS thread even for a plain loop: OpenBLAS splits a product
    # between its threads in a way that changes the last bit of some sums
    with _one_blas_thread():
        if len(blocks) < 2 or WORKERS < 2:
            scratch = {}
            return [function(block, scratch) for block in blocks]
        scratches = {}  # thread id -> that thread's scratch dict
        futures = [_executor().submit(_on_worker, function, block,
                                      scratches) for block in blocks]
        try:
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def scratch_array(scratch, name, shape, dtype):
    """The array ``scratch[name, shape]`` (of ``dtype``), made on first
    use.

    The loops over blocks of rows reuse their scratch arrays from block
    to block: fresh arrays of a few hundred kB cost page faults at every
    block, which took as long as the arithmetic. ``name`` says what the
    array holds and, where one scratch dict sees two float types, which.
    """
    key = (name, shape)
    if key not in scratch:
        scratch[key] = np.empty(shape, dtype)
    return scratch[key]


def _on_worker(function, block, scratches):
    _local.worker = True
    return function(block, scratches.setdefault(threading.get_ident(), {}))


def _executor():
    """The pool, made on first use (and again in a forked child, which
    inherits the parent's pool without its threads)."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="lstmref")
        return _pool


def _one_blas_thread():
    """A context in which OpenBLAS (and any BLAS threadpoolctl knows)
    uses one thread per call, restored on leaving."""
    global _blas
    from threadpoolctl import ThreadpoolController
    with _lock:
        if _blas is None:  # lists the loaded libraries: once
            _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


def _forget_pool():
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
