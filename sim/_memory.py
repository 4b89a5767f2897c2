"""How much memory a job will take, estimated before anything large is allocated.

A generous formula, from the peaks measured on generated companies (200,000 and 1,000,000
people, mean degree 2 to 40: about 250 B a person for the org, 200 B for a run's state and
traits, 22-34 B per tie end for the ties while they are generated) and on a chart of
200,000 people in 20,000 units (about 400 B a row of the unit and level table, which the
job holds for all its replications, as pandas and as Arrow with its keys, until it writes
it):

    bytes = people x PERSON_BYTES + tie_ends x TIE_END_BYTES
            + group_rows x GROUP_ROW_BYTES + csv_bytes x CSV_BYTE_FACTOR

where ``tie_ends`` is twice the informal ties (people x ``network.mean_degree`` when they
are generated, two per row of a ties file; a complete network stores none), ``group_rows``
is replications x (steps + 1) x behaviors x (units + levels), and ``csv_bytes`` the size of
the files read. It is compared with the least of what the machine has
(``SC_PHYS_PAGES x SC_PAGE_SIZE``), what the cgroup may still use (``memory.max`` less
``memory.current``, cgroup v2) and what the process's address space may still grow by
(``RLIMIT_AS`` less its size now, ``ulimit -v``). It errs on the large side (by a half to
twice), so that a job it lets through does not run out for its own arrays; a job refused
here would have failed. Each job of a sweep is estimated alone.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

__all__ = ["available", "estimate", "job", "too_large"]

PERSON_BYTES = 600
TIE_END_BYTES = 48
GROUP_ROW_BYTES = 600
CSV_BYTE_FACTOR = 12
_CGROUP = Path("/sys/fs/cgroup")


def _read_int(path) -> int | None:
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # "max": no limit


def _address_space_used() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def available() -> tuple[int, str]:
    """(bytes, what sets them): the most a job of this process may allocate now."""
    limits = []
    try:
        limits.append((os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"),
                       "this machine's memory"))  # fmt: skip
    except (OSError, ValueError):
        pass
    cap = _read_int(_CGROUP / "memory.max")
    if cap is not None:
        used = _read_int(_CGROUP / "memory.current") or 0
        limits.append((max(cap - used, 0), "left under the cgroup's memory.max"))
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limits.append((max(soft - _address_space_used(), 0),
                       "left under the address-space limit, ulimit -v"))  # fmt: skip
    if not limits:
        return 2**63 - 1, "no known limit"
    return min(limits)


def estimate(people, tie_ends, group_rows=0, csv_bytes=0) -> dict[str, int]:
    """The bytes of each part of a job (``people``, ``ties``, ``groups``, ``files``)."""
    return {
        "people": int(people) * PERSON_BYTES,
        "ties": int(tie_ends) * TIE_END_BYTES,
        "groups": int(group_rows) * GROUP_ROW_BYTES,
        "files": int(csv_bytes) * CSV_BYTE_FACTOR,
    }


def job(cfg, behaviors, files, org=None) -> tuple[dict, dict]:
    """(:func:`estimate`'s parts, the config key that sets each) of a composed config.

    ``files``: the bytes of the CSV files it reads (``{"path": ..., "ties": ...}``), empty
    for a generated org; ``org``: the chart once read (before, its units are unknown and
    its lines count its people).
    """
    o, net = cfg.org, cfg.network
    keys = {"ties": "network.mean_degree", "groups": "replications"}
    groups, size = 0, sum(len(data) for data in files.values())
    if files:
        people = files["path"].count(b"\n") + 1
        tie_ends = people * float(net.mean_degree)
        if "ties" in files:
            tie_ends, keys["ties"] = 2 * (files["ties"].count(b"\n") + 1), "org.ties"
        keys.update(people="org.path", files="org.path")
        if org is not None:
            people, groups = org.n, org.n_units + org.n_levels
    else:
        people = int(o.headcount)
        tie_ends = 0 if net.kind == "complete" else people * float(net.mean_degree)
        units = o.units or max(1, min(200, round(people**0.5 / 4)))  # sim.org.generate's
        groups = 2 if net.kind != "informal" else units + 64  # levels: at most 64
        keys["people"] = "org.headcount"
    rows = int(cfg.replications) * (int(cfg.steps) + 1) * behaviors * groups
    return estimate(people, tie_ends, rows, size), keys


def _gib(n) -> str:
    return f"{n / 2**30:.1f} GiB"


def too_large(parts, keys) -> str | None:
    """None when the ``parts`` (:func:`estimate`) fit; else the line that says what to lower.

    ``keys`` maps each part to the config key that sets it (the largest part's key leads).
    """
    need = sum(parts.values())
    have, where = available()
    if need <= have:
        return None
    largest = max(parts, key=parts.get)
    big = {part: size for part, size in parts.items() if size >= need / 10}  # what matters
    shown = ", ".join(f"{part} {_gib(size)}" for part, size in big.items())
    others = [keys[part] for part in big if keys[part] != keys[largest]]
    also = f" (or {', '.join(dict.fromkeys(others))})" if others else ""
    return (
        f"{keys[largest]}: this job would need about {_gib(need)} of memory ({shown}; "
        f"sim._memory estimates), more than {_gib(have)} ({where}); lower "
        f"{keys[largest]}{also}"
    )
