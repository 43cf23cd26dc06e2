"""The input gradient's fast loop (``lstmref._bptt``) and the thread pool
that runs its blocks (``lstmref._parallel``).

The loop is checked against ``tf.GradientTape`` on every pair of
activations it can meet, with enough windows for several blocks on several
threads; the pool against a plain loop: the same numbers bit for bit
whatever the number of threads, errors raised where the caller waits,
nested calls, and OpenBLAS's thread count restored.
"""

import os
import sys
import threading
import time
import warnings

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from lstmref import LSTMParams, _bptt, _parallel, lstm
from lstmref.grad import input_gradient
from lstmref.network import Network
from helpers import keras_lstm, keras_twin, random_params, tape_gradient

ACTIVATIONS = ["tanh", "sigmoid", "hard_sigmoid", "relu", "linear"]


def network(rng, activation, recurrent_activation, *, units=5, features=3,
            dense_activation="tanh", go_backwards=False, dtype=np.float64):
    params = random_params(rng, units, features, activation=activation,
                           recurrent_activation=recurrent_activation,
                           dtype=dtype)
    return Network(params, rng.normal(0, 0.5, (units, 2)).astype(dtype),
                   rng.normal(0, 0.5, 2).astype(dtype), dense_activation,
                   go_backwards)


def several_blocks(net, batch):
    rows = _bptt.block_rows(batch, net.params.units, net.params.input_dim)
    return -(-batch // rows)


@pytest.mark.parametrize("recurrent_activation", ACTIVATIONS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_fast_input_gradient_equals_gradient_tape(activation,
                                                  recurrent_activation):
    """Every (activation, recurrent_activation) pair: sigmoid and tanh
    slopes come from the gates' outputs, the others from the kept
    pre-activations; a wrong slope, gate column or step is off by far more
    than 1e-10."""
    rng = np.random.default_rng(ACTIVATIONS.index(activation) * 5
                                + ACTIVATIONS.index(recurrent_activation))
    net = network(rng, activation, recurrent_activation,
                  go_backwards=activation == "relu")
    x = rng.normal(0, 1, (41, 6, 3))
    assert several_blocks(net, len(x)) >= 2
    ours = input_gradient(net, x, 1)
    theirs = tape_gradient(keras_twin(net), x, 1)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


def test_fast_input_gradient_of_keras2_hard_sigmoid_equals_tf_keras():
    """Keras 2's hard_sigmoid (slope 0.2, kinks at +-2.5), only tf_keras
    has it."""
    import tf_keras
    rng = np.random.default_rng(70)
    net = network(rng, "tanh", "hard_sigmoid_keras2", units=4)
    p = net.params
    model = tf_keras.Sequential([
        tf_keras.Input((None, p.input_dim), dtype="float64"),
        keras_lstm(p, framework="tf_keras"),
        tf_keras.layers.Dense(2, activation="tanh", dtype="float64")])
    model.layers[-1].set_weights([net.dense_kernel, net.dense_bias])
    x = rng.normal(0, 2, (23, 5, 3))
    ours = input_gradient(net, x, 0)
    np.testing.assert_allclose(ours, tape_gradient(model, x, 0), rtol=0,
                               atol=1e-10)


def test_float32_input_gradient_equals_gradient_tape_in_float32():
    """A float32 network runs the loop in float32 (6e-8 per operation,
    over 12 steps forward and back: 1e-5 of the largest value)."""
    import keras
    rng = np.random.default_rng(71)
    net = network(rng, "tanh", "sigmoid", units=6, dtype=np.float32)
    p = net.params
    model = keras.Sequential([
        keras.Input((None, p.input_dim), dtype="float32"),
        keras_lstm(p),
        keras.layers.Dense(2, activation="tanh", dtype="float32")])
    model.layers[-1].set_weights([net.dense_kernel, net.dense_bias])
    x = rng.normal(0, 1, (900, 12, 3)).astype(np.float32)
    assert several_blocks(net, len(x)) >= 2
    ours = input_gradient(net, x, 1)
    theirs = tape_gradient(model, x, 1)
    assert ours.dtype == np.float32
    # computed in float32, not in float64 and rounded at the end: float32
    # round-off shows against the same windows run in float64
    as64 = Network(p.astype(np.float64), *(a.astype(np.float64) for a in (
        net.dense_kernel, net.dense_bias)), "tanh")
    exact = input_gradient(as64, x.astype(np.float64), 1)
    assert np.abs(ours - exact).max() > 1e-9 * np.abs(exact).max()
    np.testing.assert_allclose(ours, theirs, rtol=0,
                               atol=1e-5 * np.abs(theirs).max())


def test_results_do_not_depend_on_the_number_of_threads(monkeypatch):
    """The blocks are fixed by the shapes alone, and each thread fills
    its own scratch arrays: a block computed on a thread whose arrays
    another thread shares, or blocks cut by the thread count, would give
    other numbers."""
    rng = np.random.default_rng(72)
    net = network(rng, "tanh", "sigmoid", units=40)
    x = rng.normal(0, 1, (3000, 10, 3))
    assert several_blocks(net, len(x)) >= 4
    by_threads = {}
    for workers in (1, 2, 3):
        monkeypatch.setattr(_parallel, "WORKERS", workers)
        by_threads[workers] = input_gradient(net, x, 0)
    np.testing.assert_array_equal(by_threads[1], by_threads[2])
    np.testing.assert_array_equal(by_threads[1], by_threads[3])


def test_an_overflowing_network_warns_as_the_layer_does():
    params = random_params(np.random.default_rng(73), 1, 1,
                           activation="linear",
                           recurrent_activation="linear")
    params = type(params)(np.full((1, 4), 3.0), np.full((1, 4), 3.0),
                          activation="linear", recurrent_activation="linear")
    net = Network(params, np.ones((1, 1)))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        input_gradient(net, np.ones((4, 30, 1)), 0)
    # one warning, lstmref's, at the caller's line: none of NumPy's
    # "overflow encountered" or "invalid value" from the blocks' threads
    assert [str(warning.message)[:30] for warning in seen] == [
        "the LSTM states overflowed to "]
    assert seen[0].category is RuntimeWarning
    assert seen[0].filename == caller_file()


def test_a_network_whose_cell_state_alone_overflows_warns():
    """h_T finite, c_T = -inf: with relu, h_T = o relu(-inf) = 0. Step 1
    writes c_1 = relu(1e300) = 1e300; step 2's linear forget gate, -1e10,
    sends c_2 to -inf. The states overflowed, so the gradient warns."""
    w = np.array([[1.0, -1e10, 1e300, 1.0]])  # Keras's order i, f, c, o
    params = LSTMParams(w, np.zeros((1, 4)), activation="relu",
                        recurrent_activation="linear")
    x = np.ones((1, 2, 1))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        _, h_T, c_T = lstm(x, params, return_state=True)  # as the layer
        input_gradient(Network(params, np.ones((1, 1))), x, 0)
    assert np.isfinite(h_T).all() and np.isneginf(c_T).all()  # the case
    assert [str(warning.message)[:30] for warning in seen] == [
        "the LSTM states overflowed to "] * 2


def test_a_finite_network_run_does_not_warn():
    params = random_params(np.random.default_rng(74), 3, 2)
    net = Network(params, np.ones((3, 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        grad = input_gradient(net, np.ones((4, 6, 2)), 0)
    assert np.isfinite(grad).all()


def caller_file():
    """The file a warning raised for the caller should name: this one.

    Under mutation testing (mutmut) every lstmref function is called
    through mutmut's trampoline, one frame more on each call, so the
    same stacklevel lands in the trampoline: then that file is expected.
    """
    trampoline = sys.modules.get("mutmut.mutation.trampoline")
    return __file__ if trampoline is None else trampoline.__file__


def within(seconds, function):
    """``function()``, run on a thread of its own: its result (or its
    exception), or a failure after ``seconds`` where a deadlock in the
    pool would otherwise hang the whole test run."""
    outcome = {}

    def run():
        try:
            outcome["result"] = function()
        except BaseException as error:  # raised again on this thread
            outcome["error"] = error
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"map_blocks still waits after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def test_map_blocks_keeps_the_order_of_the_blocks(monkeypatch):
    monkeypatch.setattr(_parallel, "WORKERS", 2)

    def slow_first(block, scratch):
        time.sleep(0.05 if block == 0 else 0.0)
        return block * 10, threading.current_thread().name
    results = within(10, lambda: _parallel.map_blocks(slow_first, range(6)))
    assert [value for value, _ in results] == [0, 10, 20, 30, 40, 50]
    assert all(name.startswith("lstmref") for _, name in results)


def test_map_blocks_gives_each_thread_its_own_scratch(monkeypatch):
    monkeypatch.setattr(_parallel, "WORKERS", 2)
    seen = []

    def note(block, scratch):
        scratch.setdefault("owner", threading.get_ident())
        seen.append(scratch["owner"] == threading.get_ident())
        time.sleep(0.01)
    within(10, lambda: _parallel.map_blocks(note, range(8)))
    assert seen == [True] * 8


def test_an_error_in_a_block_is_raised_and_the_rest_is_dropped(monkeypatch):
    monkeypatch.setattr(_parallel, "WORKERS", 2)
    started = []

    def failing(block, scratch):
        started.append(block)
        if block == 0:
            raise ValueError("block 0 failed")
        time.sleep(0.02)
    with pytest.raises(ValueError, match="block 0 failed"):
        within(10, lambda: _parallel.map_blocks(failing, range(200)))
    time.sleep(0.1)  # what had started has finished; nothing else starts
    assert len(started) < 50


def test_a_nested_call_runs_on_its_worker(monkeypatch):
    """A block that maps blocks itself would otherwise wait for the very
    threads that wait for it."""
    monkeypatch.setattr(_parallel, "WORKERS", 2)

    def inner(block, b, scratch):
        # the nested call's blocks share one scratch dict of their own
        scratch.setdefault("first", b)
        return block, b, scratch["first"]

    def outer(block, scratch):
        return _parallel.map_blocks(lambda b, s: inner(block, b, s),
                                    range(3))
    assert within(10, lambda: _parallel.map_blocks(outer, range(4))) == [
        [(k, b, 0) for b in range(3)] for k in range(4)]


@pytest.mark.parametrize("workers, blocks, on_pool", [
    (1, 3, False),  # one core: a plain loop, here
    (2, 1, False),  # one block: here too
    (2, 2, True),   # two blocks on two cores: on the pool
])
def test_the_blocks_run_on_the_pool_only_with_two_blocks_and_two_cores(
        monkeypatch, workers, blocks, on_pool):
    monkeypatch.setattr(_parallel, "WORKERS", workers)

    def call():  # the caller's thread, and each block's
        return threading.current_thread().name, _parallel.map_blocks(
            lambda block, s: threading.current_thread().name, range(blocks))
    here, names = within(10, call)
    assert len(names) == blocks
    assert all(name.startswith("lstmref") == on_pool for name in names)
    assert on_pool or set(names) == {here}


def test_the_pool_has_workers_threads(monkeypatch):
    """A fresh pool runs at most ``WORKERS`` blocks at once, and as many
    when it can: eight blocks that each sleep 50 ms overlap on the pool's
    threads, and the most running at once is its size."""
    monkeypatch.setattr(_parallel, "WORKERS", 2)
    monkeypatch.setattr(_parallel, "_pool", None)
    running, most = [0], [0]
    lock = threading.Lock()

    def wait(block, scratch):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return threading.get_ident()
    try:
        threads = within(10, lambda: _parallel.map_blocks(wait, range(8)))
        assert most[0] == 2 and len(set(threads)) == 2
    finally:
        if _parallel._pool is not None:
            _parallel._pool.shutdown()


def test_blas_runs_one_thread_per_block_and_is_restored(monkeypatch):
    """BLAS on one thread per block, and nothing else limited: PyTorch's
    OpenMP (loaded here) keeps its threads. Run with OPENBLAS_NUM_THREADS
    or OMP_NUM_THREADS=1 (as make mutation does), a library already on
    one thread cannot show a limit; the control below says so."""
    # PyTorch loads an OpenMP runtime, the thread library that must keep
    # its count; the name is unused, hence the noqa:
    import torch  # noqa: F401 (imported only to load OpenMP)
    monkeypatch.setattr(_parallel, "WORKERS", 2)

    def threads(api):
        return [lib["num_threads"] for lib in threadpool_info()
                if lib["user_api"] == api]
    before = threads("blas"), threads("openmp")
    during = within(10, lambda: _parallel.map_blocks(
        lambda block, s: (threads("blas"), threads("openmp")), range(2)))
    assert during == [([1] * len(before[0]), before[1])] * 2
    # OpenMP's count is the calling thread's own: one block runs there
    assert within(10, lambda: _parallel.map_blocks(
        lambda block, s: threads("openmp"), range(1))) == [before[1]]
    assert (threads("blas"), threads("openmp")) == before
    if len(os.sched_getaffinity(0)) > 1 and not any(
            os.environ.get(v) == "1" for v in ("OPENBLAS_NUM_THREADS",
                                               "OMP_NUM_THREADS")):
        assert max(before[0]) > 1 and max(before[1]) > 1


def test_a_forked_child_gets_a_pool_of_its_own(monkeypatch):
    """A child of fork inherits the parent's pool without its threads:
    work handed to that pool would wait for ever."""
    import os
    import signal
    monkeypatch.setattr(_parallel, "WORKERS", 2)
    _parallel.map_blocks(lambda block, s: block, range(2))  # a live pool
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if its blocks ran
        ok = False
        try:
            ok = _parallel.map_blocks(lambda b, s: b * 2, range(4)) == [
                0, 2, 4, 6]
        finally:
            os._exit(0 if ok else 1)
    for _ in range(200):  # up to 20 s
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the forked child's blocks never ran")
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_networks_input_gradient_takes_the_fast_loop(monkeypatch):
    """``grad.input_gradient`` of a ``Network`` runs ``_bptt``'s loop (a
    ``Stack``'s layer-by-layer passes give the same numbers to round-off,
    several times slower); a general ``Stack`` keeps its own passes."""
    from lstmref import grad
    from lstmref.stack import Dense, Recurrent, Stack
    calls = []
    fast = grad.network_input_gradient
    monkeypatch.setattr(grad, "network_input_gradient",
                        lambda *args: calls.append(args) or fast(*args))
    rng = np.random.default_rng(74)
    net = network(rng, "tanh", "sigmoid")
    x = rng.normal(0, 1, (6, 4, 3))
    np.testing.assert_array_equal(input_gradient(net, x, 1),
                                  fast(net, x, 1))
    assert len(calls) == 1
    stack = Stack([Recurrent(net.params), Dense(
        net.dense_kernel, net.dense_bias, net.dense_activation)])
    # the same model, output 1 (not the default 0), to round-off
    np.testing.assert_allclose(input_gradient(stack, x, 1),
                               fast(net, x, 1), rtol=0, atol=1e-14)
    assert len(calls) == 1


@pytest.mark.parametrize("units, features", [(50, 3), (8, 4), (1, 1),
                                             (300, 20), (128, 7)])
def test_a_block_is_the_most_windows_within_2_22_multiply_adds(units,
                                                                features):
    """Each step's product is rows x (units + features + 1) x 4 units
    multiply-adds: blocks take as many windows as stay within 2^22, at
    least 16, at most half the batch (rounded up)."""
    per_window = (units + features + 1) * 4 * units
    rows = _bptt.block_rows(10 ** 7, units, features)
    if per_window * 16 >= 2 ** 22:
        assert rows == 16
    else:
        assert rows * per_window <= 2 ** 22 < (rows + 1) * per_window
    assert _bptt.block_rows(2 * rows + 1, units, features) == rows
    assert _bptt.block_rows(2 * rows - 1, units, features) == rows
    assert _bptt.block_rows(21, units, features) == min(rows, 11)
    assert _bptt.block_rows(1, units, features) == 1


def test_a_scratch_array_is_made_once_with_its_shape_and_float_type():
    """A float32 run's scratch arrays are float32: float64 ones would give
    the same numbers to within float32's rounding, at twice the memory."""
    scratch = {}
    a = _parallel.scratch_array(scratch, "a", (2, 3), np.float32)
    assert a.shape == (2, 3) and a.dtype == np.float32
    assert _parallel.scratch_array(scratch, "a", (2, 3), np.float32) is a
    b = _parallel.scratch_array(scratch, "a", (3, 2), np.float64)
    assert b is not a and b.dtype == np.float64 and b.shape == (3, 2)
