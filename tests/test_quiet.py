"""lstmref.quiet: the chapters' one call that imports Keras without logs."""

import os
import subprocess
import sys

import pytest


def run_python(code):
    """Run ``code`` in a new interpreter with TensorFlow's log level unset,
    as a reader's fresh kernel would have it; return the finished process."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("TF_CPP_MIN_LOG_LEVEL", "KERAS_BACKEND")}
    return subprocess.run([sys.executable, "-c", code], env=env,
                          capture_output=True, text=True, timeout=300)


def test_plain_import_of_keras_writes_to_stderr():
    """The control: without the helper, TensorFlow's C++ logs appear."""
    run = run_python("import keras")
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip(), "TensorFlow printed nothing: no control"


def test_import_keras_writes_nothing_and_restores_stderr():
    run = run_python(
        "import os\n"
        "from lstmref.quiet import import_keras\n"
        "keras = import_keras()\n"
        "print(keras.backend.backend())\n"
        "os.write(2, b'stderr is back')\n")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "tensorflow"
    assert run.stderr == "stderr is back"


def test_quiet_stderr_mutes_fd_2_only_inside_the_block(capfd):
    from lstmref.quiet import quiet_stderr
    with quiet_stderr():
        os.write(2, b"hidden\n")
    os.write(2, b"shown\n")
    assert capfd.readouterr().err == "shown\n"


def test_quiet_stderr_lets_exceptions_through(capfd):
    from lstmref.quiet import quiet_stderr
    with pytest.raises(RuntimeError, match="a bug"):
        with quiet_stderr():
            raise RuntimeError("a bug")
    os.write(2, b"restored\n")
    assert capfd.readouterr().err == "restored\n"


def test_importing_the_helper_imports_no_tensorflow():
    run = run_python("import sys, lstmref.quiet; print(sorted(m for m in "
                     "('keras', 'tensorflow') if m in sys.modules))")
    assert run.stdout.strip() == "[]", run.stderr
