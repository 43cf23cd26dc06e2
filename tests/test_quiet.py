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


# A handler registered before import_keras runs after lstmref's (atexit
# runs the last registered first): it sees what the process exits with.
REPORT_FREEZE_AT_EXIT = (
    "import atexit, gc\n"
    "atexit.register(lambda: print('frozen at exit:',"
    " gc.get_freeze_count() > 0))\n")


def test_import_keras_freezes_the_collector_at_exit_only():
    run = run_python(
        REPORT_FREEZE_AT_EXIT
        + "import gc\n"
        "from lstmref.quiet import import_keras\n"
        "import_keras()\n"
        "import_keras()\n"
        "print('frozen before exit:', gc.get_freeze_count() > 0)\n")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["frozen before exit: False",
                                       "frozen at exit: True"]


def test_a_plain_keras_import_does_not_freeze_it():
    """The control: the freeze comes from lstmref, not from Keras."""
    run = run_python(REPORT_FREEZE_AT_EXIT + "import keras\n")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["frozen at exit: False"]


def test_freeze_at_exit_registers_one_handler():
    run = run_python(
        "import atexit\n"
        "from lstmref.quiet import freeze_at_exit\n"
        "before = atexit._ncallbacks()\n"
        "freeze_at_exit(); freeze_at_exit()\n"
        "print(atexit._ncallbacks() - before)\n")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "1"


def test_the_exit_keeps_its_status_its_output_and_other_handlers():
    """After import_keras: the exit status of sys.exit, text still in
    the buffers, and a handler registered later all come through."""
    run = run_python(
        "import atexit, sys\n"
        "from lstmref.quiet import import_keras\n"
        "import_keras()\n"
        "atexit.register(lambda: print('handler ran'))\n"
        "sys.stdout.write('no newline, not flushed')\n"
        "sys.stderr.write('to stderr')\n"
        "sys.exit(3)\n")
    assert run.returncode == 3
    assert run.stdout == "no newline, not flushedhandler ran\n"
    assert run.stderr == "to stderr"
