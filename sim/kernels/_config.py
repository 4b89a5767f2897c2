"""Settings shared by the kernels and their callers.

One place for the knobs that trade speed for something else, after stumpy's
``config``: change them here, never inside a kernel.
"""

import os

# Between parallel regions GNU OpenMP's threads spin by default, for about
# 3 ms (300,000 spins). On a machine with no spare core a spinning thread
# takes the core from a thread that has work: beside one busy process, a
# 2,000-person run took 192 ms with spinning threads and 63 ms with sleeping
# ones (70 ms on one thread); at 1e5 people, 0.54 s against 0.86-0.94 s (a
# brief spin, GOMP_SPINCOUNT=2000, 0.58-0.60 s). A sleeping thread costs ~20 µs
# to wake, which PARALLEL_MIN_NS keeps small against a region's work; on idle
# cores, runs of 2e4-1e5 people may take ~10-25 % longer than with spinning
# threads (within the noise of a shared machine), so dedicated machines may
# set OMP_WAIT_POLICY=active. OpenMP reads this when Numba loads it (the first
# parallel call), so it is set at import; a value the user set wins.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

#: A kernel call enters a parallel region only when one thread would spend at
#: least this long (ns) on it; otherwise its serial twin runs. Starting a
#: region costs ~10-20 µs with idle cores, but a region waits for every one of
#: its threads to get a core, and on a busy machine (a sweep's other
#: processes, other users) that can take a scheduler's time slice. Regions of
#: 0.1 to 0.5 ms saved nothing measurable on 2 cores shared with other work
#: (2e4 and 1e5 people); at 0.5 ms no week of a 2,000-person org (the 2x2
#: study's) enters one. Whichever runs, the results are the same to the last bit.
PARALLEL_MIN_NS = 500_000

#: One thread's time per item of each kind of work (ns), to estimate a call's
#: work before choosing: measured on 2 cores (2026-12) between 2,000 and 1e6
#: people, medians, on a machine shared with other work. A rough guide: a
#: factor of two either way only moves the cut-off.
NS_PER_ITEM = {
    "tie": 3.0,  # a tie read with a lookup at its far end (counts, strengths)
    "weighted_tie": 7.0,  # the same, adding the weights of ties to adopters (shares)
    "pulled_tie": 4.0,  # a tie read by ladder_pull or ladder_tally (few hold much), or a search
    "pushed_tie": 40.0,  # a tie end of a changed person pushed (ladder_push)
    "person": 10.0,  # a person's candidate test (ladder_candidates)
    "bounds": 40.0,  # a person's exact ceiling and watch (ladder_bounds)
    "decision": 200.0,  # an exact decision (ladder_decide)
    "manager": 100.0,  # a changed person whose reports' bounds are loosened (ladder_loosen)
}


def parallel_pays(items, kind):
    """Whether ``items`` of work of ``kind`` (a ``NS_PER_ITEM`` key) pay for a parallel region."""
    # Read at each call, so that tests can move the cut-off.
    return items * NS_PER_ITEM[kind] >= PARALLEL_MIN_NS


#: Up to this many people, the per-person arrays a week touches stay in the
#: CPU cache (about 20 bytes a person against a 2 MiB L2): scattered reads and
#: writes are cheap, and the order of a list of ids does not matter.
IN_CACHE_PEOPLE = 1 << 17

#: Pushing a week's new adopters to their neighbours' counts is a scattered,
#: serial write per tie; recounting every non-adopter is a sequential,
#: parallel read per tie. The state pushes while the pushed ties, weighted by
#: this factor, are fewer than the undecided ties a recount would read. Tuned
#: on small worlds of 1e4 and 1e6 people (the benchmark's workload, best of
#: several runs): in cache 0 to 1 were fastest (1e4, 52 weeks: ~0.48 ms, 0.57
#: with 2, 0.67 with 4); out of it 8 (1e6, 30 weeks: 111 ms, against 176 ms
#: with 2 and 145 ms never pushing). The choice never changes results.
PUSH_COST_PER_TIE = {True: 1, False: 8}  # keyed by "fits in cache"
