"""Refusing code stored in a model file, before anything is read as Keras.

A Keras file can carry Python code: a ``Lambda`` layer keeps its function
as marshaled bytecode (``"function": [<base64>, ...]``), and a custom
class is named by its module (``"module": "__main__"``) for Keras to
import and run. Keras runs both when it builds the model from the file;
``safe_mode`` stops the bytecode only in ``.keras`` files, never in the
legacy ``.h5`` of Keras 2.

``refuse_code`` reads the model's JSON configuration alone, as plain
dicts and lists, and raises ``ModelFileError`` on the first layer that
holds code, before a single weight is read. What passes is a tree of
Keras's own built-in layers, named in ``KERAS_LAYERS``.
"""

__all__ = ["CODE_LAYERS", "KERAS_LAYERS", "MODELS", "ModelFileError",
           "OPERATIONS", "refuse_code"]


class ModelFileError(ValueError):
    """A model (a file, or a Keras model's layers) that lstmref cannot
    read, or a file that holds code: one line."""


#: Layers whose configuration is, or loads, code: never read. tf.keras
#: 2's ``TensorFlowOpLayer``/``TFOpLambda`` replay TensorFlow operations
#: named in the file.
CODE_LAYERS = frozenset({
    "Lambda", "TFSMLayer", "JaxLayer", "FlaxLayer", "TorchModuleWrapper",
    "Layer", "Wrapper", "AbstractRNNCell", "DenseFeatures",
    "TensorFlowOpLayer", "SlicingOpLambda", "TFOpLambda"})

#: Keras's built-in layers (Keras 1, 2, 3 and tf_keras) that hold data
#: only: their configuration is numbers, names and flags (Keras 1's
#: ``Merge`` may hold a lambda: ``mode_type`` "lambda" is refused).
KERAS_LAYERS = frozenset("""
Activation ActivityRegularization AdaptiveAveragePooling1D
AdaptiveAveragePooling2D AdaptiveAveragePooling3D AdaptiveMaxPooling1D
AdaptiveMaxPooling2D AdaptiveMaxPooling3D Add AdditiveAttention AlphaDropout
Attention Average AveragePooling1D AveragePooling2D AveragePooling3D
AvgPool1D AvgPool2D AvgPool3D BatchNormalization Bidirectional
CategoryEncoding CenterCrop Concatenate Conv1D Conv1DTranspose Conv2D
Conv2DTranspose Conv3D Conv3DTranspose ConvLSTM1D ConvLSTM2D ConvLSTM3D
Convolution1D Convolution2D Convolution3D Cropping1D Cropping2D Cropping3D
CuDNNGRU CuDNNLSTM Dense DepthwiseConv1D DepthwiseConv2D Discretization Dot
Dropout ELU EinsumDense Embedding Flatten GRU GRUCell GaussianDropout
GaussianNoise GlobalAveragePooling1D GlobalAveragePooling2D
GlobalAveragePooling3D GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D
GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D GlobalMaxPooling1D
GlobalMaxPooling2D GlobalMaxPooling3D GroupNormalization Hashing Identity
InputLayer IntegerLookup LSTM LSTMCell LayerNormalization LeakyReLU
LocallyConnected1D LocallyConnected2D Masking MaxPool1D MaxPool2D MaxPool3D
MaxPooling1D MaxPooling2D MaxPooling3D Maximum Minimum MultiHeadAttention
Multiply Normalization PReLU Permute RMSNormalization RNN ReLU RepeatVector
Rescaling Reshape Resizing SeparableConv1D SeparableConv2D SimpleRNN
SimpleRNNCell Softmax SpatialDropout1D SpatialDropout2D SpatialDropout3D
StackedRNNCells StringLookup Subtract ThresholdedReLU TimeDistributed
UnitNormalization UpSampling1D UpSampling2D UpSampling3D ZeroPadding1D
ZeroPadding2D ZeroPadding3D
AtrousConvolution1D AtrousConvolution2D Deconvolution2D Highway MaxoutDense
Merge TimeDistributedDense
""".split())

#: Keras 3's own operations that a functional model with a Masking layer
#: stores to compute the mask (``any(x != mask_value, axis=-1)``) and a
#: cast of the input: data only, accepted from Keras's ops modules.
OPERATIONS = frozenset({"NotEqual", "Any", "Cast"})

#: Model classes that may hold layers (a model nested in a model).
MODELS = frozenset({"Sequential", "Functional", "Model"})

# Keys of a configuration under which Keras keeps another layer's config.
_NESTED_LAYERS = ("layer", "backward_layer", "forward_layer", "cell",
                  "cells", "layers")
# "function" holds a Lambda's marshaled bytecode (Keras 1-3); the other
# keys say "lambda" where the entry beside them is bytecode (Keras 1's
# Merge ``mode``, a Lambda's ``output_shape``).
_CODE_KEYS = ("function_type", "output_shape_type", "mode_type")

SUPPORTED = ("lstmref reads Keras's built-in layers (LSTM, Dense, Dropout, "
             "Bidirectional, ...) from a .keras or .h5 file and never runs "
             "code stored in one")


def refuse_code(path, model_class, model_module, layers):
    """Raise ``ModelFileError`` if the model or any layer holds code.

    ``layers`` is the model's list of layer configurations (dicts with
    ``class_name`` and ``config``) as the file stores them. The message
    names the file, the layer, its position in that list (from 0) and
    what lstmref reads.
    """
    if model_class not in MODELS or not _keras_module(model_module):
        raise ModelFileError(
            f"{path}: refusing to read the model: its class "
            f"{model_class!r} (module {model_module!r}) is not a Keras "
            "Sequential or functional model (a subclassed model is Python "
            f"code); {SUPPORTED}")
    for position, layer in enumerate(layers):
        reason = (_code_in(layer, top=True) if isinstance(layer, dict)
                  else "is not a layer configuration (a JSON object)")
        if reason:
            cls = layer.get("class_name") if isinstance(layer, dict) else "?"
            name = _layer_name(layer)
            raise ModelFileError(
                f"{path}: refusing to read the model: layer {name!r} "
                f"({cls}, position {position} from 0) {reason}; "
                f"{SUPPORTED}")


def _layer_name(layer):
    """The name the file gives a layer, or '?'."""
    if not isinstance(layer, dict):
        return "?"
    config = layer.get("config")
    name = config.get("name") if isinstance(config, dict) else None
    return name or layer.get("name") or "?"


def _keras_module(module):
    """True for no module (legacy .h5 names none) or one of Keras's."""
    if module is None:
        return True
    return isinstance(module, str) and module.split(".")[0] in (
        "keras", "tf_keras")


def _code_in(node, top=False):
    """Why ``node`` (a layer config, or any part of one) holds code, or
    None. ``top``: ``node`` is a layer, whose class must be built in."""
    if isinstance(node, list):
        for item in node:
            if reason := _code_in(item):
                return reason
        return None
    if not isinstance(node, dict):
        return None
    cls = node.get("class_name")
    if top:
        if cls == "Lambda":
            return ("is a Lambda layer, whose function is Python bytecode "
                    "stored in the file")
        if cls in CODE_LAYERS:
            return f"is a {cls} layer, which loads or runs code"
        if cls in OPERATIONS and (node.get("module") is None or str(
                node["module"]).startswith("keras.src.ops.")):
            return None  # a legacy .h5 names no module
        if cls not in KERAS_LAYERS | MODELS:
            return (f"is of the class {cls!r}, which is not one of Keras's "
                    "built-in layers (a custom layer is Python code)")
    for key in ("function", *_CODE_KEYS):
        if key in node and (key == "function" or node[key] == "lambda"):
            return f"holds Python code (its configuration's {key!r} entry)"
    module = node.get("module")
    if cls is not None and not _keras_module(module):
        return (f"names the custom object {cls!r} from the module "
                f"{module!r} (Python code outside Keras)")
    registered = node.get("registered_name")
    if registered is not None and registered != cls:
        return (f"names the registered custom object {registered!r} "
                "(Python code outside Keras)")
    for key, value in node.items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            layer = (key in _NESTED_LAYERS and isinstance(item, dict)
                     and "class_name" in item)
            if reason := _code_in(item, top=layer):
                return (f"wraps a layer that {reason}"
                        if layer and not reason.startswith("wraps") else
                        reason)
    return None
