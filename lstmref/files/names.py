"""Names for a layer's weights, and where a ``.keras`` file keeps them.

A legacy ``.h5`` names every array (``lstm/lstm_cell/kernel:0``); a
``.keras`` file numbers them (``layers/lstm/cell/vars/0``) in the order of
Keras's ``get_weights()``. Both are given Keras's own short names here
(``kernel``, ``recurrent_kernel``, ``bias``; ``forward/...`` and
``backward/...`` in a Bidirectional), so one model reads the same from
either file.
"""

import re

__all__ = ["path_order", "snake_case", "weight_names"]


def weight_names(class_name, config, arrays, h5_names):
    """Names for a layer's arrays: Keras's own where known."""
    known = _known_names(class_name, config)
    if known is not None and len(known) == len(arrays):
        return known
    if h5_names is not None:
        return [_short(name, config.get("name")) for name in h5_names]
    return [str(k) for k in range(len(arrays))]


def _known_names(class_name, config):
    """Keras's weight names of a layer class, in ``get_weights()`` order."""
    if class_name in ("LSTM", "GRU", "SimpleRNN", "CuDNNLSTM", "CuDNNGRU"):
        bias = config.get("use_bias", True)
        return ["kernel", "recurrent_kernel"] + ["bias"] * bias
    if class_name in ("Dense", "Conv1D", "Convolution1D"):
        return ["kernel"] + ["bias"] * config.get("use_bias", True)
    if class_name in ("BatchNormalization", "LayerNormalization"):
        names = (["gamma"] * config.get("scale", True)
                 + ["beta"] * config.get("center", True))
        if class_name == "BatchNormalization":
            names += ["moving_mean", "moving_variance"]
        return names
    if class_name == "Normalization":
        return ["mean", "variance", "count"]
    inner = config.get("layer")
    if class_name == "TimeDistributed" and isinstance(inner, dict):
        return _known_names(inner.get("class_name"), inner.get("config", {}))
    if class_name == "Bidirectional" and isinstance(inner, dict):
        one = _known_names(inner.get("class_name"), inner.get("config", {}))
        if one is not None:
            return ([f"forward/{n}" for n in one]
                    + [f"backward/{n}" for n in one])
    return None


def _short(h5_name, layer):
    """'lstm/lstm_cell/kernel:0' -> 'kernel'; Bidirectional's get
    'forward/' or 'backward/' in front; Keras 1's 'lstm_1_W_i' (the layer's
    name and the array's) -> 'W_i'."""
    parts = h5_name.split(":")[0].split("/")
    side = [p.split("_")[0] for p in parts if p.startswith(
        ("forward_", "backward_"))]
    last = parts[-1]
    if layer and last.startswith(f"{layer}_"):
        last = last[len(layer) + 1:]
    return "/".join(side[:1] + [last])


def path_order(key):
    """Sort key of a path inside a layer's group: Keras's variable order.

    ``vars/10`` after ``vars/9``; a Bidirectional's forward layer before
    its backward one.
    """
    rank = {"vars": 0, "cell": 1, "forward_layer": 2, "backward_layer": 3}
    return [(0, int(part), "") if part.isdigit() else
            (1, rank.get(part, 9), part) for part in key.split("/")]


def snake_case(name):
    """Keras's own ``to_snake_case``: 'BatchNormalization' ->
    'batch_normalization', 'LSTM' -> 'lstm'."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
