"""The console scripts: ``orgsim``, ``orgsim-results`` and ``orgsim-report``.

Importing Hydra, pandas and Numba takes a few seconds; a Ctrl-C in that time
ends the command with one line, like a Ctrl-C later on, not a traceback.
"""

import os
import sys


def _interrupted():
    print("orgsim: interrupted before anything ran; nothing was written", file=sys.stderr)
    sys.exit(130)


class _StdoutReaderMayLeave:
    """``sys.stdout`` that outlives its reader: ``orgsim report DIR | head -1`` still finishes
    the files it writes, and what it would have printed after ``head`` left goes nowhere
    (Python turns the closed pipe into a BrokenPipeError at the next write, a traceback)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._reader_left()
            return len(text)

    def flush(self):
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._reader_left()

    def _reader_left(self):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())
        os.close(devnull)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _guard_stdout():
    if sys.stdout is not None and not isinstance(sys.stdout, _StdoutReaderMayLeave):
        sys.stdout = _StdoutReaderMayLeave(sys.stdout)


#: What may stand beside overrides on a command line whose workers start before the rest.
_PLAIN_FLAGS = ("-m", "--multirun", "-v", "--verbose")


def _start_workers_early(argv):
    """``orgsim -m key=value ...``: joblib's workers start before orgsim imports the rest of
    itself (half a second), since starting and warming them takes the longest. Any other
    command line waits for the check (:func:`sim.cli.main`), which knows what it asks."""
    if not any(a in ("-m", "--multirun") for a in argv):
        return
    if all(a in _PLAIN_FLAGS or ("=" in a and not a.startswith("-")) for a in argv):
        from sim.workers import start_workers

        start_workers([a for a in argv if a not in _PLAIN_FLAGS])


def _stop_workers():
    workers = sys.modules.get("sim.workers")
    if workers is not None:
        workers.stop_workers()


def orgsim():
    _guard_stdout()
    try:
        _start_workers_early(sys.argv[1:])
        from sim.cli import main
    except KeyboardInterrupt:
        _stop_workers()
        _interrupted()
    main()


def orgsim_results():
    _guard_stdout()
    try:
        from sim.cli import results_main
    except KeyboardInterrupt:
        _interrupted()
    sys.exit(results_main())


def orgsim_report():
    _guard_stdout()
    try:
        from sim.report.cli import report_main
    except KeyboardInterrupt:
        _interrupted()
    sys.exit(report_main(prog="orgsim-report"))
