"""Attribution speed: lstmref next to TensorFlow's GradientTape.

The peer a user would pick to explain a Keras model is TensorFlow itself:
``tf.GradientTape`` on the same model. One model, the issue's shape: a
Keras 3 ``Sequential`` Input(24, 3) -> LSTM(50) -> Dense(1), with the
tests' random non-zero weights (``random_params``, every bias entry
non-zero; Dense kernel N(0, 0.5^2), bias N(0, 0.5^2)), built twice, in
float64 and in float32 (the same weights rounded), and read into lstmref
with ``from_keras_model``. 256 windows of N(0, 1) inputs.

Timed, each in float64 and in float32:

- lstmref ``integrated_gradients`` (32 Gauss-Legendre nodes, zero
  baseline: 8192 forward and backward passes), the same IG written with
  the public ``grad.input_gradient`` on the path (built in x's float
  type), ``occlusion`` (24 + 1 forward passes per window) and
  ``input_gradient`` (one of each);
- TensorFlow: the same integrated gradients (the same path and nodes) by
  one ``GradientTape`` over ``model(path)``, eagerly, and inside a
  ``tf.function`` (traced before timing); and the input gradient, eagerly.

Before anything is timed, lstmref's integrated gradients are asserted
equal to TensorFlow's (1e-9 of the largest value in float64, where both
differ by round-off only; 1e-4 in float32, whose 6e-8 per operation grows
over 24 steps and a 32-node sum), so a wrong answer is never timed; the
table says so where lstmref computed a float32 model's IG in float64.

Timing: each library runs in a process of its own, as a user runs one of
them: TensorFlow's worker threads spin for a while after each call and
slowed whatever ran next on the two cores (in one process, lstmref's
float32 IG right after TensorFlow's took 0.93 s instead of 0.31 s). The
models are saved as .keras files; a TensorFlow process loads one with
``keras.saving.load_model``, an lstmref process reads it with
``lstmref.files.network_from_file``, without importing TensorFlow, as
``python -m lstmref explain`` does. A process warms up with one call of
each method, then times each method ``CALLS`` times back to back and
reports the median. ``repeats`` rounds, each starting the four processes
(two libraries x two float types) in turn, the order reversed every other
round, so that a burst of load from other processes falls on both
libraries alike; the table gives the median over rounds and the fastest
round. BLAS and TensorFlow keep the threads the machine gives them. Run
alone: ``python benchmarks/attribution_speed.py [repeats]``.
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from common import random_params, report  # before Keras: its settings
from machine import cpu_snapshot, others_share

__all__ = ["run", "table"]

TITLE = "Attribution speed: lstmref vs TensorFlow GradientTape"

BATCH, T, FEATURES, UNITS, N_STEPS = 256, 24, 3, 50, 32
SEED = 14
#: Rounds of processes (the command line may change it).
REPEATS = 5
#: Timed calls of each method in one process, after one warm-up call.
CALLS = 3
#: lstmref vs TensorFlow IG, as a share of the largest |IG| value: float64
#: differs by round-off alone; float32 by 6e-8 per operation, over 24
#: steps forward and back and a 32-node sum.
RTOL = {"float64": 1e-9, "float32": 1e-4}


def keras_models(rng):
    """The same LSTM(50) -> Dense(1) in float64 and float32: {dtype: model}."""
    import keras
    params = random_params(rng, UNITS, FEATURES)  # float64
    D = rng.normal(0, 0.5, (UNITS, 1))
    d = rng.normal(0, 0.5, 1)
    weights = [params.kernel, params.recurrent_kernel, params.bias, D, d]
    models = {}
    for dtype in ("float64", "float32"):
        model = keras.Sequential([
            keras.Input((T, FEATURES), dtype=dtype),
            keras.layers.LSTM(UNITS, dtype=dtype),
            keras.layers.Dense(1, dtype=dtype)])
        model.set_weights([w.astype(dtype) for w in weights])
        models[dtype] = model
    return models


def gauss_legendre(n, dtype):
    """Nodes in [0, 1] and weights of the n-point Gauss-Legendre rule,
    lstmref's default quadrature."""
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return ((nodes + 1) / 2).astype(dtype), (weights / 2).astype(dtype)


def tf_methods(model, x, dtype):
    """TensorFlow's integrated gradients (eager and tf.function) and input
    gradient for one model: {name: function of no arguments}."""
    import tensorflow as tf
    alphas, weights = gauss_legendre(N_STEPS, dtype)
    xt = tf.constant(x)
    alphas, weights = tf.constant(alphas), tf.constant(weights)

    def gradient(windows):
        with tf.GradientTape() as tape:
            tape.watch(windows)
            y = tf.reduce_sum(model(windows)[:, 0])
        return tape.gradient(y, windows)

    def ig(x):  # zero baseline: the path is alpha * x
        path = alphas[:, None, None, None] * x[None]  # (n, batch, T, F)
        grads = gradient(tf.reshape(path, (-1, T, FEATURES)))
        grads = tf.reshape(grads, (N_STEPS, *x.shape))
        return x * tf.tensordot(weights, grads, axes=1)

    traced = tf.function(ig)
    traced(xt)  # trace once, before timing
    return {"IG eager": lambda: ig(xt).numpy(),
            "IG tf.function": lambda: traced(xt).numpy(),
            "input gradient eager": lambda: gradient(xt).numpy()}


def lstmref_methods(net, x):
    """lstmref's methods on windows x: {name: function}."""
    from lstmref import attribution, grad
    alphas, weights = gauss_legendre(N_STEPS, x.dtype)

    def ig_by_input_gradient():
        # the same IG from the public input_gradient, the path kept in
        # x's float type and taken through grad's blocks of rows
        path = (alphas[:, None, None, None] * x[None]).reshape(
            -1, T, FEATURES)
        grads = grad.input_gradient(net, path).reshape(N_STEPS, *x.shape)
        return x * np.tensordot(weights, grads, axes=1)

    return {"IG": lambda: attribution.integrated_gradients(
                net, x, n_steps=N_STEPS),
            "IG by input_gradient": ig_by_input_gradient,
            "occlusion": lambda: attribution.occlusion(net, x),
            "input gradient": lambda: grad.input_gradient(net, x)}


def check(ours, theirs, dtype):
    """lstmref's IG equals TensorFlow's: the relative error."""
    scale = np.abs(theirs).max()
    error = np.abs(ours.astype(np.float64) - theirs).max() / scale
    assert error <= RTOL[dtype], (dtype, error)
    return float(error)


def run(repeats=None):
    """Check, then time every method in processes; one row per method."""
    repeats = repeats or REPEATS
    from lstmref.files import network_from_file
    rng = np.random.default_rng(SEED)
    models = keras_models(rng)
    x64 = rng.normal(size=(BATCH, T, FEATURES))
    errors, computed = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        np.save(folder / "x.npy", x64)
        for dtype, model in models.items():
            x = x64.astype(dtype)
            model.save(folder / f"{dtype}.keras")
            net = network_from_file(folder / f"{dtype}.keras")
            ours = lstmref_methods(net, x)
            reference = tf_methods(model, x, dtype)["IG eager"]()
            errors[dtype] = check(ours["IG"](), reference, dtype)
            check(ours["IG by input_gradient"](), reference, dtype)
            for name, call in ours.items():
                computed["lstmref", name, dtype] = str(call().dtype)
        groups = [(library, dtype) for dtype in models
                  for library in ("lstmref", "TensorFlow")]
        times = {}
        before = cpu_snapshot()
        for round_ in range(repeats):
            for library, dtype in groups[::-1 if round_ % 2 else 1]:
                for name, seconds in _time_in_process(
                        library, dtype, folder).items():
                    times.setdefault((library, name, dtype), []).append(
                        seconds)
        others = others_share(before)
    order = sorted(times, key=lambda k: (
        k[1].split()[0], k[2] != "float64", k[0] != "lstmref", k[1]))
    rows = []
    for key in order:
        library, name, dtype = key
        median = float(np.median(times[key]))
        rows.append({"library": library, "method": name, "dtype": dtype,
                     "seconds": median, "fastest": min(times[key]),
                     "windows_per_s": BATCH / median, "repeats": repeats,
                     "others_cpu": others, "ig_error": errors[dtype],
                     "computed": computed.get(key, dtype)})
    return rows


def _time_in_process(library, dtype, folder):
    """{method: median seconds of CALLS calls} from a new process."""
    out = subprocess.run(
        [sys.executable, __file__, "--time", library, dtype, str(folder)],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def time_methods(library, dtype, folder):
    """The body of a timing process: load the model, warm up, time."""
    x = np.load(Path(folder) / "x.npy").astype(dtype)
    path = Path(folder) / f"{dtype}.keras"
    if library == "lstmref":
        from lstmref.files import network_from_file
        calls = lstmref_methods(network_from_file(path), x)
    else:
        import keras
        calls = tf_methods(keras.saving.load_model(path), x, dtype)
    result = {}
    for name, call in calls.items():
        call()  # warm-up
        seconds = []
        for _ in range(CALLS):
            start = time.perf_counter()
            call()
            seconds.append(time.perf_counter() - start)
        result[name] = float(np.median(seconds))
    return result


def table(rows):
    """The rows as a markdown table, with each lstmref method's ratio to
    TensorFlow's eager IG of the same float type."""
    eager = {r["dtype"]: r["seconds"] for r in rows
             if r["library"] == "TensorFlow" and r["method"] == "IG eager"}
    lines = ["| method | library | dtype | seconds (median) | fastest s "
             "| windows/s | / TF IG eager |",
             "|---|---|---|--:|--:|--:|--:|"]
    for r in rows:
        ratio = r["seconds"] / eager[r["dtype"]]
        dtype = r["dtype"] + ("" if r["computed"] == r["dtype"] else
                              f" (computed in {r['computed']})")
        lines.append(
            f"| {r['method']} | {r['library']} | {dtype} "
            f"| {r['seconds']:.3f} | {r['fastest']:.3f} "
            f"| {r['windows_per_s']:,.0f} | {ratio:.2f} |")
    errors = {r["dtype"]: r["ig_error"] for r in rows}
    r = rows[0]
    others = "?" if r["others_cpu"] is None else f"{r['others_cpu']:.0%}"
    lines += ["", f"{BATCH} windows of {T} steps x {FEATURES} features, "
              f"LSTM({UNITS}) -> Dense(1); IG with {N_STEPS} "
              f"Gauss-Legendre nodes. Median of {r['repeats']} rounds of "
              f"processes, each the median of {CALLS} calls. "
              "lstmref IG vs TensorFlow's, max |difference| / max |IG|: "
              + ", ".join(f"{d} {e:.1e}" for d, e in errors.items())
              + f". Other processes used {others} of the CPU while "
              "timing."]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--time"]:  # a timing process (see run)
        print(json.dumps(time_methods(*sys.argv[2:5])))
        sys.exit(0)
    if len(sys.argv) > 1:  # python attribution_speed.py REPEATS
        REPEATS = int(sys.argv[1])
    report([sys.modules[__name__]])  # this section alone, as run.py does
