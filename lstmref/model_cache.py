"""A trained Keras model, trained once and then read back from disk.

Most chapters need the forecaster of ``weather.train_forecaster``. Each
chapter runs in its own kernel, so without a cache every one of them
would train the same seeded model again. ``load_or_train(key, train,
build)`` calls ``train()`` the first time and stores the model's weights
and its data; later calls, in any kernel, call ``build()`` for a model of
the same shape and set the stored weights: bit for bit those of the
training, so the same predictions.

The key (``cache_key``) is a SHA-256 over everything that decides the
weights: the bytes of the files given (for the forecaster: the data and
the code that loads, windows, builds and trains), the bytes of this file
(how a model is stored and read back), the training arguments, and the
versions of Keras, TensorFlow and NumPy.

Where: ``$LSTMREF_CACHE`` if set, else ``$XDG_CACHE_HOME/lstmref``, else
``~/.cache/lstmref``: never the repository. One ``<key>.npz`` per model,
written to a temporary file in the same folder and moved into place with
``os.replace``, so a kernel reading it never sees half a file. Each file
holds a SHA-256 of its own arrays; a file that cannot be read, or whose
arrays do not match it, is trained again and overwritten.

Each file also keeps the model as Keras saved it (``model.save``, a
``.keras`` file's bytes), so that ``read(key)`` gives a chapter the
weights, the data and that file without importing Keras or TensorFlow:
the key, too, is computed from the installed versions' metadata, not by
importing them.
"""

import hashlib
import importlib.metadata
import json
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["cache_dir", "cache_key", "load_or_train", "read", "saved_bytes",
           "Stored"]

#: The environment variable that names the cache folder.
ENV_VAR = "LSTMREF_CACHE"
#: Arrays of a stored model: "weight_000", ..., "data_<key>", the saved
#: ``.keras`` file's bytes and the checksum over all the others.
WEIGHT, DATA, SAVED, CHECKSUM = "weight_", "data_", "keras_file", "checksum"
#: Where each framework's version is read from: distributions that
#: install the module (TensorFlow ships under several names).
DISTRIBUTIONS = {"keras": ("keras",),
                 "tensorflow": ("tensorflow", "tensorflow-cpu",
                                "tensorflow-intel", "tf-nightly")}


@dataclass(frozen=True)
class Stored:
    """A stored model: ``get_weights()``'s arrays, the training's data
    and the ``.keras`` file Keras saved, as bytes."""

    weights: list
    data: dict
    keras_file: bytes


def cache_dir():
    """The folder of stored models: $LSTMREF_CACHE, else the user's cache
    folder ($XDG_CACHE_HOME or ~/.cache) / lstmref."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "lstmref"


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _version(module):
    """The installed version of ``module`` ("keras" or "tensorflow"),
    read from its distribution's metadata: no import."""
    for name in DISTRIBUTIONS[module]:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    raise ModuleNotFoundError(
        f"lstmref.model_cache: {module} is not installed (looked for the "
        f"distributions {', '.join(DISTRIBUTIONS[module])})")


def cache_key(files, arguments):
    """SHA-256 (hex) over the bytes of ``files`` (paths) and of this
    module, ``repr`` of each of ``arguments`` and the versions of Keras,
    TensorFlow and NumPy (the first two from their installed metadata,
    so computing a key imports neither)."""
    recipe = {
        "files": [_sha256(path) for path in files],
        "cache": _sha256(__file__),
        "arguments": [repr(a) for a in arguments],
        "versions": [_version("keras"), _version("tensorflow"),
                     np.__version__],
    }
    text = json.dumps(recipe, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _checksum(arrays):
    """SHA-256 over the names, dtypes, shapes and bytes of ``arrays``."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{a.dtype.str}:{a.shape};".encode())
        digest.update(a.tobytes())
    return digest.hexdigest()


def saved_bytes(model):
    """The bytes of ``model.save`` to a ``.keras`` file."""
    with tempfile.TemporaryDirectory(prefix="lstmref-") as folder:
        path = Path(folder) / "model.keras"
        with warnings.catch_warnings():
            # Keras's saving calls np.array on each TensorFlow variable,
            # which NumPy 2 reports once per weight; not ours to fix
            warnings.filterwarnings(
                "ignore", message="__array__ implementation doesn't "
                "accept a copy keyword", category=DeprecationWarning)
            model.save(path)
        return path.read_bytes()


def _write(path, stored):
    """Store a ``Stored`` in ``path``, atomically: a temporary file in the
    same folder, then os.replace."""
    arrays = {f"{WEIGHT}{k:03d}": w for k, w in enumerate(stored.weights)}
    arrays.update({DATA + name: np.asarray(value)
                   for name, value in stored.data.items()})
    arrays[SAVED] = np.frombuffer(stored.keras_file, dtype=np.uint8)
    arrays[CHECKSUM] = np.array(_checksum(arrays))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem,
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _read(path):
    """The ``Stored`` in ``path``, or None if it is missing, unreadable,
    incomplete or does not match its checksum."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except Exception:  # missing, truncated, garbled: OS, zip, npy, CRC
        return None
    checksum = arrays.pop(CHECKSUM, None)
    if checksum is None or str(checksum) != _checksum(arrays):
        return None
    if SAVED not in arrays or DATA + "history" not in arrays:
        return None
    weights = [arrays[n] for n in sorted(arrays) if n.startswith(WEIGHT)]
    data = {n[len(DATA):]: a for n, a in arrays.items()
            if n.startswith(DATA)}
    data["history"] = [float(v) for v in data["history"]]
    return Stored(weights, data, arrays[SAVED].tobytes())


def read(key):
    """The ``Stored`` model of ``key`` (its weights, data and ``.keras``
    file) if the cache holds it whole, else None. Imports no Keras."""
    return _read(cache_dir() / f"{key}.npz")


def load_or_train(key, train, build):
    """``train()``'s ``(model, data)``, trained once per ``key``.

    train() -> (model, data): a Keras model and a dict of arrays, with
        ``data["history"]`` a list of floats.
    build() -> an untrained model of the same layers, weights set below.

    The stored file is ``cache_dir() / f"{key}.npz"``. On a hit, the model
    from ``build()`` gets the stored weights, which are bit for bit the
    trained ones; it is not compiled (the optimizer's state is not kept).
    On a miss, or if the file is damaged, ``train()`` runs and is stored,
    with the model as ``model.save`` writes it.
    """
    path = cache_dir() / f"{key}.npz"
    stored = _read(path)
    if stored is not None:
        model = build()
        try:
            model.set_weights(stored.weights)
            return model, stored.data
        except ValueError:  # stored shapes do not fit: train again
            pass
    model, data = train()
    try:
        _write(path, Stored(model.get_weights(), data, saved_bytes(model)))
    except OSError as error:  # a read-only cache costs time, not results
        warnings.warn(f"lstmref: could not store the model in {path}: "
                      f"{error}", stacklevel=2)
    return model, data
