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


def test_import_keras_freezes_the_import_s_objects_and_later_ones_at_exit():
    run = run_python(
        REPORT_FREEZE_AT_EXIT
        + "import gc\n"
        "from lstmref.quiet import import_keras\n"
        "import_keras()\n"
        "frozen = gc.get_freeze_count()\n"
        "import_keras()\n"
        "print('frozen after import:', frozen > 100_000,"
        " gc.get_freeze_count() == frozen)\n"
        "gc.unfreeze()\n"
        "print('unfrozen:', gc.get_freeze_count())\n")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["frozen after import: True True",
                                       "unfrozen: 0",
                                       "frozen at exit: True"]


def test_a_plain_keras_import_freezes_nothing():
    """The control: the freeze comes from lstmref, not from Keras."""
    run = run_python(REPORT_FREEZE_AT_EXIT + "import keras\n"
                     "print(gc.get_freeze_count())\n")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["0", "frozen at exit: False"]


def test_cycles_are_still_collected_young_ones_before_and_new_ones_after():
    run = run_python(
        "import gc, weakref\n"
        "class Node: pass\n"
        "def cycle():\n"
        "    a, b = Node(), Node()\n"
        "    a.other, b.other = b, a\n"
        "    return weakref.ref(a)\n"
        "from lstmref.quiet import freeze_gc, import_keras\n"
        "gc.disable()  # no automatic collection from here\n"
        "before = cycle()  # garbage already, in a young generation\n"
        "freeze_gc()\n"
        "gc.enable()\n"
        "print('before:', before() is None, gc.isenabled())\n"
        "import_keras()\n"
        "after = cycle()\n"
        "gc.collect()\n"
        "print('after:', after() is None)\n")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["before: True True", "after: True"]


def test_a_paused_collector_stays_paused():
    run = run_python(
        "import gc\n"
        "gc.disable()\n"
        "from lstmref.quiet import import_keras\n"
        "import_keras()\n"
        "print(gc.isenabled())\n")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


def test_freeze_gc_acts_once():
    run = run_python(
        "import atexit, gc\n"
        "from lstmref.quiet import freeze_gc\n"
        "before = atexit._ncallbacks()\n"
        "freeze_gc()\n"
        "gc.unfreeze()\n"
        "freeze_gc()\n"
        "print(atexit._ncallbacks() - before, gc.get_freeze_count())\n")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "1 0"


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
