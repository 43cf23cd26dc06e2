"""Reading a saved Keras model as plain data: layers, configs, weights.

No Keras object is ever made. The file is opened with ``zipfile``,
``json`` and ``h5py`` alone; its configuration is checked for code
(``safety.refuse_code``) before a single weight is read.

===========================  =======  ===================================
written by                   file     where the model is
===========================  =======  ===================================
Keras 3; tf.keras 2.13+ and  .keras   a zip: ``config.json``,
tf_keras                              ``metadata.json`` (``keras_version``),
                                      ``model.weights.h5`` with arrays at
                                      ``layers/<class>/[cell/]vars/<k>``
Keras 3, tf.keras 2.x,       .h5      HDF5: attribute ``model_config``
Keras 2.0-2.4, Keras 1                (JSON), ``keras_version``; arrays
                                      listed by ``weight_names`` under
                                      ``model_weights/<layer>/``
===========================  =======  ===================================

In a ``.keras`` file the weight groups are named after each layer's
class in snake case, numbered in the order of the model's layers
(``lstm``, ``lstm_1``), not after the layers' own names; tf.keras 2.15 on
Windows wrote them with backslashes (``layers\\lstm\\cell/vars/0``),
which Keras itself then cannot load. Both are read here.
"""

import io
import json
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .names import path_order, snake_case, weight_names
from .safety import ModelFileError, refuse_code

__all__ = ["Layer", "ModelFile", "inbound_names", "read_model_file"]


@dataclass(frozen=True)
class Layer:
    """One layer as the file stores it.

    ``position`` is its index in the file's layer list (from 0);
    ``inbound`` names the layers whose outputs it takes (none for the
    first layer of a Sequential, the one before for the others);
    ``weights`` maps names (``kernel``, ``recurrent_kernel``, ``bias``,
    ``forward/kernel``...) to arrays, in the order of ``get_weights()``.
    """

    position: int
    name: str
    class_name: str
    config: dict = field(repr=False)
    inbound: tuple
    weights: dict = field(repr=False)


@dataclass(frozen=True)
class ModelFile:
    """What ``read_model_file`` found: the model as data."""

    path: str
    format: str          # ".keras" or ".h5"
    keras_version: str   # as the file states it; "" if it states none
    model_class: str     # Sequential, Functional or Model
    layers: tuple

    @property
    def keras2(self):
        """True for a file written by Keras 1 or 2 (tf.keras, tf_keras).

        Keras 3 always writes its version; a file without one is older.
        """
        major = self.keras_version.split(".")[0]
        return not major.isdigit() or int(major) < 3

    @property
    def input_shape(self):
        """The model's batch input shape as the file states it, or None."""
        for layer in self.layers:
            for key in ("batch_shape", "batch_input_shape"):
                if layer.config.get(key) is not None:
                    return tuple(layer.config[key])
        return None


def read_model_file(path):
    """Read a Keras ``.keras`` or ``.h5`` model file without Keras.

    Returns a ``ModelFile`` whose ``layers`` hold each layer's class,
    config, position, inbound layers and weights (NumPy arrays by name).
    Raises ``ModelFileError`` (one line naming the file) for a file that
    is not a Keras model, and for one that holds code (a ``Lambda``, a
    custom layer or object), before any weight is read.
    """
    import h5py  # comes with TensorFlow; imported only when reading

    path = Path(path)
    if not path.is_file():
        raise ModelFileError(
            f"{path}: expected a Keras model file (.keras or .h5), got "
            + ("a directory (a TensorFlow SavedModel? lstmref reads .keras "
               "and .h5 files)" if path.is_dir() else "no such file"))
    try:
        if zipfile.is_zipfile(path):
            return _read_zip(path, h5py)
        if h5py.is_hdf5(path):
            return _read_h5(path, h5py)
    except (OSError, KeyError, zipfile.BadZipFile) as error:
        # a damaged archive, or an HDF5 file not laid out as Keras does
        raise ModelFileError(
            f"{path}: cannot read it as a Keras model file: "
            f"{type(error).__name__}: {error}") from None
    raise ModelFileError(
        f"{path}: expected a Keras model file, a .keras (zip archive) or "
        ".h5 (HDF5), got a file that is neither (or one cut short)")


def _read_zip(path, h5py):
    """A ``.keras`` archive of Keras 3 or tf.keras 2.13+."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        missing = {"config.json", "model.weights.h5"} - names
        if missing:
            raise ModelFileError(
                f"{path}: expected a .keras archive with config.json and "
                f"model.weights.h5, got one without {sorted(missing)}")
        config = _json(archive.read("config.json"), path, "config.json")
        meta = (_json(archive.read("metadata.json"), path, "metadata.json")
                if "metadata.json" in names else {})
        model_class, layers = _model_layers(config, path, zipped=True)
        version = str(meta.get("keras_version", ""))
        weights = archive.read("model.weights.h5")
    with h5py.File(io.BytesIO(weights), "r") as store:
        arrays = _all_datasets(store, h5py)
    records, counts = [], {}
    for position, layer in enumerate(layers):
        snake = snake_case(layer["class_name"])
        number = counts.get(snake, -1) + 1
        counts[snake] = number
        group = "layers/" + (snake if number == 0 else f"{snake}_{number}")
        found = {key[len(group) + 1:]: value for key, value in
                 arrays.items() if key.startswith(group + "/")}
        found = [found[key] for key in sorted(found, key=path_order)]
        records.append(_record(position, layer, path, found, None,
                               model_class))
    return _model(path, ".keras", version, model_class, records)


def _read_h5(path, h5py):
    """A legacy ``.h5`` of Keras 1, Keras 2, tf.keras/tf_keras or Keras 3."""
    with h5py.File(path, "r") as store:
        raw = store.attrs.get("model_config")
        if raw is None:
            raise ModelFileError(
                f"{path}: expected a whole model (attribute model_config), "
                "got an HDF5 file without one: weights saved by "
                "save_weights carry no architecture")
        config = _json(_text(raw), path, "model_config")
        model_class, layers = _model_layers(config, path, zipped=False)
        root = store["model_weights"] if "model_weights" in store else store
        version = _text(store.attrs.get(
            "keras_version", root.attrs.get("keras_version", "")))
        records = []
        for position, layer in enumerate(layers):
            name = _name(layer)
            group = root[name] if name in root else None
            names = [] if group is None else _attr_list(group, "weight_names")
            try:
                found = [np.asarray(group[n][()]) for n in names]
            except KeyError as error:
                raise ModelFileError(
                    f"{path}: layer {name!r} lists the weight names {names} "
                    f"but the file lacks one ({error})") from None
            records.append(_record(position, layer, path, found, names,
                                   model_class))
    return _model(path, ".h5", version, model_class, records)


def _model(path, form, version, model_class, records):
    """The ``ModelFile``, a Sequential's inbound positions made names."""
    if model_class == "Sequential":
        records = [replace(r, inbound=(records[r.position - 1].name,))
                   if r.position else r for r in records]
    return ModelFile(str(path), form, version, model_class, tuple(records))


def _json(raw, path, what):
    """Parse JSON text (no objects are made, only dicts and lists)."""
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise ModelFileError(
            f"{path}: expected JSON in {what}, got text that is not "
            f"({error})") from None


def _model_layers(config, path, zipped):
    """``(model_class, layer configs)``; refuses code before returning."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ModelFileError(f"{path}: expected a model configuration with "
                             "a class_name, got something else")
    model_class = config["class_name"]
    inner = config.get("config")
    # Keras 1 and 2.0-2.2.2 wrote a Sequential's config as the list itself
    layers = inner if isinstance(inner, list) else (
        inner.get("layers") if isinstance(inner, dict) else None)
    layers = layers if isinstance(layers, list) else None
    module = config.get("module") if zipped else None
    refuse_code(path, model_class, module, layers or [])
    if not layers:
        raise ModelFileError(f"{path}: expected a model with layers, got "
                             f"a {model_class} with none in its config")
    return model_class, layers


def _name(layer):
    """A layer's name in the file."""
    return (layer.get("config") or {}).get("name") or layer.get("name")


def _record(position, layer, path, arrays, h5_names, model_class):
    """A ``Layer`` from its config and its arrays in Keras's order."""
    config = layer.get("config") or {}
    if model_class == "Sequential":  # the layer before, by position
        inbound = (position - 1,) if position else ()
    else:
        inbound = tuple(dict.fromkeys(inbound_names(
            layer.get("inbound_nodes", []), [])))
    names = weight_names(layer["class_name"], config, arrays, h5_names)
    record = Layer(position, _name(layer), layer["class_name"], config,
                   inbound, dict(zip(names, arrays)))
    if len(record.weights) != len(arrays):
        raise ModelFileError(f"{path}: layer {record.name!r} has two "
                             f"weights of the same name among {names}")
    return record


def inbound_names(nodes, found):
    """Names of the layers whose outputs a functional layer takes.

    Keras 1/2: ``[[["lstm", 0, 0, {}]]]``; Keras 3: ``[{"args": [{...
    "keras_history": ["lstm", 0, 0]}], "kwargs": {...}}]``, whose
    ``kwargs`` (a ``mask``, ``training``) are not inputs. Appended to
    ``found``, which is returned.
    """
    if isinstance(nodes, dict):
        if "args" in nodes:  # Keras 3: the inputs are the arguments
            inbound_names(nodes["args"], found)
        elif "keras_history" in nodes:
            found.append(nodes["keras_history"][0])
        else:
            for value in nodes.values():
                inbound_names(value, found)
    elif isinstance(nodes, (list, tuple)):  # live configs hold tuples
        if len(nodes) >= 3 and isinstance(nodes[0], str) and isinstance(
                nodes[1], int):
            found.append(nodes[0])
        else:
            for value in nodes:
                inbound_names(value, found)
    return found


def _all_datasets(store, h5py):
    """Every array of an HDF5 store by its path, backslashes made '/'."""
    found = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            found[name.replace("\\", "/")] = np.asarray(obj[()])

    store.visititems(visit)
    return found


def _text(value):
    """An HDF5 attribute as text (old files store bytes)."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _attr_list(group, name):
    """A list attribute, joined from ``name0``, ``name1``... where Keras
    split a long one."""
    if name in group.attrs:
        values = list(group.attrs[name])
    else:
        values, k = [], 0
        while f"{name}{k}" in group.attrs:
            values += list(group.attrs[f"{name}{k}"])
            k += 1
    return [_text(v) for v in values]
