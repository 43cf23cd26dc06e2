"""A model's layers, as Keras describes them, made an lstmref ``Stack``.

``stack_from_layers`` takes each layer's class name, configuration (the
dicts of ``get_config()`` or of a file's JSON) and arrays, and builds
the ``Stack`` that computes what the model computes at prediction:

==============================  ==========================================
Keras layer                     in the ``Stack``
==============================  ==========================================
LSTM                            ``Recurrent(params, return_sequences,
                                go_backwards)``
Bidirectional(LSTM)             ``Bidirectional(forward, backward,
                                merge_mode)``; concat, sum, ave, mul
Dense, TimeDistributed(Dense)   ``Dense(kernel, bias, activation)`` on the
                                last axis
Activation                      the Dense before it takes the function
Masking                         ``Masking(mask_value)``
Normalization, Rescaling,       ``Affine(scale, offset)``: x * scale +
BatchNormalization              offset on the last axis
LayerNormalization              ``LayerNorm(gamma, beta, epsilon)``
Flatten, Reshape                ``Flatten()``, ``Reshape(shape)``
Dropout, SpatialDropout1D,      nothing: they change nothing at prediction
GaussianNoise, GaussianDropout,
AlphaDropout,
ActivityRegularization,
InputLayer
==============================  ==========================================

A model whose output is a sequence gets ``Step(step)`` last (the last
step unless told otherwise). Masking, Normalization and Rescaling come
before the first LSTM, the head's layers after it. Anything else is
refused in one line naming the layer, its position and what is read.
"""

from dataclasses import dataclass

from ..activations import ACTIVATIONS
from ..stack import Dense, Flatten, Recurrent, Reshape, Stack, Step
from .layers import CONVERTERS, SUPPORTED, Flow, refusal
from .safety import ModelFileError

__all__ = ["FRONT", "HEAD", "INACTIVE", "MASK_OPERATIONS", "SUPPORTED",
           "main_chain", "network_parts", "stack_from_layers"]

#: Layers that compute nothing at prediction: left out of the Stack.
INACTIVE = frozenset({
    "InputLayer", "Dropout", "SpatialDropout1D", "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "ActivityRegularization"})
#: Layers read before the first LSTM only.
FRONT = frozenset({"Masking", "Normalization", "Rescaling"})
#: Recurrent layers: an LSTM, alone or in a Bidirectional.
RECURRENT = frozenset({"LSTM", "Bidirectional"})
#: Layers read after the first LSTM only.
HEAD = frozenset(CONVERTERS) - FRONT - RECURRENT
#: Operations Keras 3 writes into a functional model to carry a Masking
#: layer's mask to the layers after it (``any(x != mask_value, -1)``):
#: the ``Stack``'s Masking computes the same mask itself.
MASK_OPERATIONS = frozenset({"NotEqual", "Any", "Cast"})



@dataclass(frozen=True)
class _Where:
    """Where the layers come from, for messages, and how to read them."""

    prefix: str   # "model", or the file's path
    keras2: bool  # hard_sigmoid is Keras 1-2's 0.2 x + 1/2


def main_chain(layers, where="model"):
    """The layers of a single-input chain, each taking the one before.

    ``layers``: records with ``name``, ``class_name``, ``position`` and
    ``inbound`` (the names of the layers whose outputs the layer takes;
    () for an input). Keras 3's mask operations (``MASK_OPERATIONS``,
    present only beside a Masking layer) are left out. Raises
    ``ModelFileError`` naming the first layer that does not take the
    output of the one before it (a branch, a merge, a second input).
    """
    layers = list(layers)
    masking = any(r.class_name == "Masking" for r in layers)
    chain = [r for r in layers
             if not (masking and r.class_name in MASK_OPERATIONS)]
    for before, layer in zip(chain, chain[1:]):
        if tuple(layer.inbound) != (before.name,):
            raise ModelFileError(refusal(
                where, layer, f"a chain of layers, each taking the one "
                f"before ({before.name!r}), not {list(layer.inbound)}",
                SUPPORTED))
    return chain


def stack_from_layers(layers, *, keras2=False, where="model", step=None):
    """The ``Stack`` that computes the chain of Keras layers ``layers``.

    ``layers``: records with ``position``, ``name``, ``class_name``,
    ``config`` (Keras's dict) and ``weights`` (arrays in the order of
    Keras's ``get_weights()``), in the order the model applies them (see
    ``main_chain``). ``keras2``: the layers were written by Keras 1-2 or
    tf.keras, whose ``hard_sigmoid`` is lstmref's
    ``hard_sigmoid_keras2``. ``where`` starts every message (the file's
    path, or "model"). ``step``: the step whose output a model ending in
    a sequence (batch, T, n) gives; None means the last, -1. Raises
    ``ModelFileError`` (one line) for a layer the Stack cannot compute.
    """
    context = _Where(str(where), bool(keras2))
    flow = Flow()
    shape = _input_shape(layers)
    if shape is not None and len(shape) == 3:  # (batch, T, features)
        flow.steps, flow.width = shape[1], shape[2]
    built = []
    for layer in layers:
        cls = layer.class_name
        if cls in INACTIVE:
            continue
        if cls not in CONVERTERS:
            raise ModelFileError(refusal(
                context.prefix, layer, "one of the layers lstmref reads",
                SUPPORTED))
        if not flow.recurrent and cls in HEAD:
            raise ModelFileError(refusal(
                context.prefix, layer, "an LSTM as the first layer "
                "(after only InputLayer, Masking, Normalization, Rescaling "
                "or layers inactive at prediction)", SUPPORTED))
        if flow.recurrent and cls in FRONT:
            raise ModelFileError(refusal(
                context.prefix, layer, f"{cls} only before the first "
                "LSTM", SUPPORTED))
        built = CONVERTERS[cls](layer, flow, context, built)
    if not flow.recurrent:
        last = layers[-1] if layers else None
        raise ModelFileError(
            f"{context.prefix}: expected a model with an LSTM layer, got "
            + ("no layers" if last is None else
               f"none among its {len(layers)} layers")
            + f"; lstmref reads {SUPPORTED}")
    if flow.sequence:
        built.append(Step(-1 if step is None else step))
    elif step is not None:
        raise ModelFileError(
            f"step: expected None for a model whose output is one vector "
            f"per window (not a sequence), got {step!r}")
    # the window length matters where values of all steps are reshaped
    shaped = any(isinstance(b, (Flatten, Reshape)) for b in built)
    try:
        return Stack(built, steps=flow.steps if shaped else None)
    except (TypeError, ValueError) as error:
        raise ModelFileError(
            f"{context.prefix}: the layers do not fit together: "
            f"{error}") from None


def _input_shape(layers):
    """The batch input shape the first layers state (Keras 1: their
    input_length and input_dim), or None."""
    for layer in layers[:2]:
        config = layer.config
        for key in ("batch_shape", "batch_input_shape"):
            if config.get(key) is not None:
                return tuple(config[key])
        if config.get("input_dim") is not None:
            return (None, config.get("input_length"), config["input_dim"])
    return None


def network_parts(stack):
    """``Network``'s arguments where ``stack`` is one LSTM returning its
    last output and a Dense layer with a gate activation; else None."""
    if len(stack.layers) != 2:
        return None
    lstm, dense = stack.layers
    if not (type(lstm) is Recurrent and type(dense) is Dense) or (
            lstm.return_sequences or dense.activation not in ACTIVATIONS):
        return None
    return {"params": lstm.params, "dense_kernel": dense.kernel,
            "dense_bias": dense.bias, "dense_activation": dense.activation,
            "go_backwards": lstm.go_backwards}
