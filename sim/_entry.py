"""The console scripts: ``orgsim``, ``orgsim-results`` and ``orgsim-report``.

Importing Hydra, pandas and Numba takes a few seconds; a Ctrl-C in that time
ends the command with one line, like a Ctrl-C later on, not a traceback.
"""

import sys


def _interrupted():
    print("orgsim: interrupted before anything ran; nothing was written", file=sys.stderr)
    sys.exit(130)


def orgsim():
    try:
        from sim.cli import main
    except KeyboardInterrupt:
        _interrupted()
    main()


def orgsim_results():
    try:
        from sim.cli import results_main
    except KeyboardInterrupt:
        _interrupted()
    sys.exit(results_main())


def orgsim_report():
    try:
        from sim.report.cli import report_main
    except KeyboardInterrupt:
        _interrupted()
    sys.exit(report_main(prog="orgsim-report"))
