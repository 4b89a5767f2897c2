"""Settings shared by the kernels and their callers.

One place for the knobs that trade speed for something else, after stumpy's
``config``: change them here, never inside a kernel.
"""

#: Below this many ties to visit, a week's decisions run on one thread.
#: Starting a parallel region costs ~10-20 µs with idle cores, and far more
#: when the cores are busy with other work (a sweep's other processes): a
#: parallel region waits for every one of its threads to get a core. Above it
#: the work (≥ ~100 µs) pays for the start-up.
PARALLEL_MIN_TIES = 200_000

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
