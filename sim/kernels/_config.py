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

#: Pushing a week's new adopters to their neighbours' counts is a scattered
#: serial write per tie; recounting every non-adopter is a sequential
#: parallel read per tie. The state pushes while the pushed ties, weighted by
#: this factor, are fewer than the undecided ties a recount would read.
#: Tuned on small worlds of 1e4 to 1e6 people (``benchmarks/engine.py``):
#: 2 was at or near the fastest at every size; the choice never changes results.
PUSH_COST_PER_TIE = 2
