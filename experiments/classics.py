"""Classic diffusion results, reproduced on the orgsim engine.

Prints one line per result with what the literature says and what the engine
gives. The same results are asserted, with exact numbers, in
``tests/engine/test_classics.py``.

    python3 experiments/classics.py [--seed 1] [--people 20000]
"""

import argparse
import sys

import networkx as nx
import numpy as np

from sim import OrgModel, networks, rules


def granovetter():
    """Granovetter (1978): thresholds 0..99 riot to the last; change one and one riots."""
    crowd = networks.complete(100)
    everyone = rules.Threshold(theta=np.arange(100), absolute=True)
    theta = np.arange(100)
    theta[1] = 2
    one_changed = rules.Threshold(theta=theta, absolute=True)
    a = OrgModel(network=crowd, rule=everyone).run(120).adopters
    b = OrgModel(network=crowd, rule=one_changed).run(120).adopters
    return f"Granovetter riot: thresholds 0..99 -> {a} riot; threshold-1 person moved to 2 -> {b}"


def centola_macy(rng):
    """Centola & Macy (2007): complex contagion needs clustered, wide bridges."""
    n = 400
    ring = networks.ring_lattice(n, 4)
    rule = rules.Threshold(theta=2, absolute=True)
    clustered = OrgModel(network=ring, rule=rule, initial_adopters=[0, 1]).run(n).adopters
    graph = nx.Graph(ring.to_networkx())
    nx.double_edge_swap(graph, nswap=10 * graph.number_of_edges(), max_tries=10**6, seed=rng)
    random_net = networks.from_networkx(graph, nodelist=range(n))
    a, b = next(iter(graph.edges()))
    rewired = OrgModel(network=random_net, rule=rule, initial_adopters=[a, b]).run(n).adopters
    return (
        f"Centola-Macy, threshold 2 of {n}: clustered ring -> {clustered} adopt; "
        f"same degrees rewired at random -> {rewired}"
    )


def bass(people, seed):
    """Bass (1969): well mixed, p = 0.03, q = 0.38, against the discrete recursion."""
    p, q, weeks = 0.03, 0.38, 10
    model = OrgModel(
        network=networks.complete(people), rule=rules.Bass(p, q, well_mixed=True), seed=seed
    ).run(weeks)
    share = 0.0
    for _ in range(weeks):
        share += (1 - share) * (p + q * share)
    continuous = (1 - np.exp(-(p + q) * weeks)) / (1 + q / p * np.exp(-(p + q) * weeks))
    return (
        f"Bass p=0.03 q=0.38, week 10: engine {model.fraction:.3f} (n={people}), "
        f"discrete recursion {share:.3f}, continuous formula {continuous:.3f}"
    )


def watts(people, rng):
    """Watts (2002): global cascades only inside a window of mean degree."""
    parts = []
    for degree in (1, 2, 4, 6, 8):
        cascades = 0
        for _ in range(10):
            net = networks.erdos_renyi(people, degree, seed=rng)
            model = OrgModel(
                network=net, rule=rules.Threshold(theta=0.18), initial_adopters=[0]
            ).run(200)
            cascades += model.fraction > 0.5
        parts.append(f"z={degree}: {cascades}/10")
    return "Watts global cascades (theta 0.18, one seed), share of runs past 50 %: " + ", ".join(
        parts
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--people", type=int, default=20_000)
    args = parser.parse_args(argv)
    if args.people < 100:
        parser.error("--people must be at least 100")
    rng = np.random.default_rng(args.seed)
    for line in (
        granovetter(),
        centola_macy(rng),
        bass(args.people * 10, args.seed),
        watts(args.people, rng),
    ):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
