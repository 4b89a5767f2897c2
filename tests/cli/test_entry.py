"""The console scripts when their reader leaves early (``... | head -1``)."""

import subprocess

from tests.helpers import BIN, SMALL, orgsim


def _reader_gone(tmp_path, *command):
    """Run ``command`` with its stdout a pipe whose reader has already left."""
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    process.stdout.close()
    _, err = process.communicate(timeout=300)
    return process.returncode, err


def test_a_closed_pipe_is_no_traceback_and_the_report_is_still_written(tmp_path):
    orgsim(tmp_path, "-m", *SMALL, "rollout=company_wide,pilot", "report=false")
    where = tmp_path / "results" / "orgsim"
    assert not (where / "report.html").exists()
    for command in ([BIN / "orgsim-results", where, "--list"], [BIN / "orgsim", "report", where],
                    [BIN / "orgsim-report", where], [BIN / "orgsim", "--help"]):  # fmt: skip
        status, err = _reader_gone(tmp_path, *map(str, command))
        assert status == 0, err
        assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert (where / "report.html").is_file()
