"""Slow, obvious reference versions of the kernels and of whole runs.

Written for clarity, with plain Python loops over the same CSR entries in the
same order as the kernels, so that floating-point sums match to the last bit
and results can be compared exactly.
"""

import numpy as np


def csr_from_edges(src, dst, weights, n, merge="sum"):
    """CSR arrays of an undirected edge list, built with a dict of dicts."""
    rows = [dict() for _ in range(n)]
    for e, (a, b) in enumerate(zip(src, dst, strict=True)):
        w = 1.0 if weights is None else float(weights[e])
        for x, y in ((a, b), (b, a)):
            if y in rows[x]:
                rows[x][y] = rows[x][y] + w if merge == "sum" else max(rows[x][y], w)
            else:
                rows[x][y] = w
    indptr = [0]
    indices, out_w = [], []
    for row in rows:
        for j in sorted(row):
            indices.append(j)
            out_w.append(row[j])
        indptr.append(len(indices))
    return np.array(indptr), np.array(indices, dtype=np.int64), np.array(out_w)


def adopted_ties(indptr, indices, weights, adopted, i):
    weight, count = 0.0, 0
    for t in range(indptr[i], indptr[i + 1]):
        if adopted[indices[t]]:
            weight += weights[t]
            count += 1
    return weight, count


def threshold_decide(indptr, indices, weights, strength, adopted, theta, absolute, candidates):
    out = []
    for i in candidates:
        weight, count = adopted_ties(indptr, indices, weights, adopted, i)
        if absolute:
            out.append(count >= theta[i])
        else:
            out.append(strength[i] > 0 and weight / strength[i] >= theta[i])
    return np.array(out, dtype=bool)


def bass_decide(indptr, indices, weights, strength, adopted, p, q, candidates, u):
    out = []
    for k, i in enumerate(candidates):
        share = 0.0
        if strength[i] > 0:
            share = adopted_ties(indptr, indices, weights, adopted, i)[0] / strength[i]
        out.append(u[k] < p + q * share)
    return np.array(out, dtype=bool)


def cascade_attempts(indptr, indices, adopted, frontier, u, p):
    converted = set()
    pos = 0
    for f in frontier:
        for t in range(indptr[f], indptr[f + 1]):
            j = int(indices[t])
            if u[pos] < p and not adopted[j]:
                converted.add(j)
            pos += 1
    return np.array(sorted(converted), dtype=np.int64)


def threshold_run(net, theta, initial, steps, absolute=False):
    """Adopter counts per week, re-deciding for every non-adopter every week."""
    theta = np.broadcast_to(np.asarray(theta, dtype=float), (net.n,))
    adopted = np.zeros(net.n, dtype=bool)
    adopted[list(initial)] = True
    curve = [int(adopted.sum())]
    for _ in range(steps):
        candidates = np.flatnonzero(~adopted)
        adopts = threshold_decide(
            net.indptr, net.indices, net.weights, net.strength, adopted, theta, absolute, candidates
        )
        adopted = adopted.copy()
        adopted[candidates[adopts]] = True
        curve.append(int(adopted.sum()))
    return curve, adopted


def threshold_run_vectorised(net, theta, initial, steps, absolute=False):
    """As :func:`threshold_run`, with scipy mat-vecs: fast enough for large n.

    Exact when the weighted sums are exact in floating point (unit or small
    integer weights), whatever order scipy adds them in.
    """
    matrix = net.to_scipy()
    unweighted = matrix.copy()
    unweighted.data[:] = 1.0
    theta = np.broadcast_to(np.asarray(theta, dtype=float), (net.n,))
    adopted = np.zeros(net.n, dtype=bool)
    adopted[list(initial)] = True
    curve = [int(adopted.sum())]
    for _ in range(steps):
        x = adopted.astype(float)
        if absolute:
            adopts = unweighted @ x >= theta
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                adopts = (net.strength > 0) & ((matrix @ x) / net.strength >= theta)
        adopted = adopted | adopts
        curve.append(int(adopted.sum()))
    return curve, adopted


def bass_run_vectorised(net, p, q, initial, steps, rng):
    """Bass on a network, drawing one uniform per non-adopter per week in id order."""
    matrix = net.to_scipy()
    adopted = np.zeros(net.n, dtype=bool)
    adopted[list(initial)] = True
    curve = [int(adopted.sum())]
    for _ in range(steps):
        undecided = np.flatnonzero(~adopted)
        u = rng.random(undecided.shape[0])
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(net.strength > 0, (matrix @ adopted.astype(float)) / net.strength, 0)
        adopted = adopted.copy()
        adopted[undecided[u < p + q * share[undecided]]] = True
        curve.append(int(adopted.sum()))
    return curve, adopted


def week_uniforms(rng, n):
    """The model's draws for one week: a key from ``rng``, one uniform per person."""
    from sim.kernels import ladder_uniforms

    u = np.empty(n)
    ladder_uniforms(rng.integers(2**64, dtype=np.uint64), u)
    return u


def organizational_run(org, people, rule, culture, plan, initial, weeks, rng=None):
    """docs/model.md §3 computed from scratch every week, person by person.

    ``rng`` supplies each week's key, from which every person's uniform comes
    (as in the model), unless the rule is deterministic. Returns the stage of everyone after each
    week (a list of int arrays, week 0 first). Peer shares are summed in CSR
    order here and incrementally in the model, so the last bits may differ;
    with continuous traits that never changes a decision.
    """
    n, top = org.n, len(rule.ladder)
    net = org.network
    indptr, indices, weights = net.indptr, net.indices, net.weights
    difficulty = [b.difficulty for b in rule.ladder]
    risk = [b.risk for b in rule.ladder]
    voice = [b.voice for b in rule.ladder]
    # Reinforcement in tally units: a contact counts the network's mean tie weight.
    unit_tie = weights.mean() if weights.shape[0] else 1.0
    demand = [b.reinforcement * unit_tie for b in rule.ladder]
    group = org.unit if rule.visibility == "unit" else np.zeros(n, dtype=int)
    stage = np.zeros(n, dtype=int)
    stage[list(initial)] = top
    peak = stage.copy()  # the most rungs each one has held: below it one returns
    creator_weeks = (stage == top).sum() / n
    ever_access = plan.week(0).access.copy()
    history = [stage.copy()]
    for week in range(1, weeks + 1):
        w = plan.week(week)
        ever_access |= w.access
        u = None if rule.certain(people) else week_uniforms(rng, n)
        content = 1.0 - np.exp(-culture.generative * creator_weeks)

        def gap(i, b, w=w, content=content, stage=stage, ever_access=ever_access):
            num = den = 0.0
            for t in range(indptr[i], indptr[i + 1]):
                j = indices[t]
                den += weights[t] * people.influence[j]
                if stage[j] > b:
                    num += weights[t] * people.influence[j]
            peer = num / den if den > 0 else 0.0
            if demand[b] > 0:  # complex contagion: how many, squared, up to the demand
                peer = (min(num, demand[b]) / demand[b]) ** 2
            m = org.manager[i]
            endorsed = m >= 0 and stage[m] > b and w.endorsing[m]
            gain = (people.trust[i] - rule.reactance) / (1.0 - rule.reactance)
            mine = group == group[i]
            seen = (stage[mine] > b).sum() / max((ever_access & mine).sum(), 1)
            owners = (stage[mine] > 1).sum() / max((ever_access & mine).sum(), 1)
            ownership = rule.ownership_weight * culture.open * owners if top > 1 else 0.0
            commitment = w.commitment * w.coverage**rule.commitment_coverage
            # Collective identity: the share of one's team-mates (the manager's other
            # reports) who hold b, as strongly as one identifies with the team.
            mates = (org.manager == m) & (np.arange(n) != i) if m >= 0 else np.zeros(n, bool)
            team = (stage[mates] > b).sum() / mates.sum() if mates.any() else 0.0
            identity = rule.identity_weight * people.identification[i] * team
            signal = (
                rule.peer_weight * peer
                + rule.manager_weight * endorsed * gain
                + rule.commitment_weight * commitment * people.trust[i]
                + rule.visibility_weight * seen
                + rule.content_weight * content
                + ownership
                + identity
            )
            threshold = (
                (1.0 - voice[b]) * people.threshold[i]
                + voice[b] * (1.0 - people.voice[i])
                + difficulty[b]
                + risk[b] * people.risk_aversion[i] * (1.0 - rule.safety)
                - rule.training_effect * w.trained[i]
                - rule.learning_effect * w.learning[i]
            )
            return signal - threshold

        new = stage.copy()
        for i in range(n):
            if not w.access[i]:
                continue
            draw = 0.0 if u is None else u[i]
            if stage[i] > 0 and gap(i, stage[i] - 1) < -rule.hysteresis:
                if rule.lapse_rate >= 1 or (rule.lapse_rate > 0 and draw < rule.lapse_rate):
                    new[i] -= 1
                continue
            if stage[i] > 0 and rule.churn > 0:
                # A habit dropped whatever the signal; the rest of the draw decides an advance.
                if rule.churn >= 1 or draw < rule.churn:
                    new[i] -= 1
                    continue
                draw = (draw - rule.churn) / (1.0 - rule.churn)
            if stage[i] < top:
                g = gap(i, stage[i])
                rate = rule.rate if stage[i] >= peak[i] else rule.rate * rule.return_share
                rate *= people.attention[i]  # how often one looks at the platform
                if rule.noise == 0:
                    p = rate if g >= 0 else 0.0
                else:
                    p = rate / (1.0 + np.exp(-g / rule.noise))
                if p >= 1 or (p > 0 and draw < p):
                    new[i] += 1
        stage = new
        peak = np.maximum(peak, stage)
        creator_weeks += (stage == top).sum() / n
        history.append(stage.copy())
    return history
