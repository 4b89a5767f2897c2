"""Write the fictional Acme example files: an org chart, its traits and its ties.

Acme is made up: 86 people in six units (Executive, Engineering, Sales,
Support, Marketing, Finance), four or five levels deep, with obviously
fictional names. The output is deterministic, so running the script again
rewrites the same files (the tests check this).

    python3 experiments/data/make_acme.py [--out experiments/data]
"""

import argparse
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

# (unit, title of its head, managers), each manager being (title, the team sizes of the tech
# leads under them, the number of their other direct reports). The CFO also has two analysts.
UNITS = [
    (
        "Engineering",
        "VP Engineering",
        [("Engineering Manager", [4, 3], 0)] * 2 + [("Engineering Manager", [3, 4], 0)],
    ),
    ("Sales", "VP Sales", [("Regional Sales Manager", [], 5)] * 3),
    ("Support", "Head of Support", [("Support Team Lead", [], 6)] * 2),
    ("Marketing", "Head of Marketing", [("Marketing Manager", [], 4)] * 2),
    ("Finance", "CFO", [("Controller", [], 4)]),
]
MEMBER = {
    "Engineering": "Software Engineer",
    "Sales": "Account Executive",
    "Support": "Support Specialist",
    "Marketing": "Marketing Specialist",
    "Finance": "Financial Analyst",
}
FIRST = ["Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Gray", "Harper", "Indy", "Jules"]
LAST = ["Example", "Sample", "Placeholder", "Fictitious", "Madeup", "Specimen", "Testcase", "Dummy"]


def chart():
    """People in hierarchy order: lists of (manager index or -1, unit, title)."""
    people = [(-1, "Executive", "Chief Executive"), (0, "Executive", "Chief of Staff")]

    def add(boss, unit, title):
        people.append((boss, unit, title))
        return len(people) - 1

    for unit, head_title, managers in UNITS:
        head = add(0, unit, head_title)
        for title, leads, n_reports in managers:
            manager = add(head, unit, title)
            for size in leads:
                lead = add(manager, unit, "Tech Lead")
                for _ in range(size):
                    add(lead, unit, MEMBER[unit])
            for _ in range(n_reports):
                add(manager, unit, MEMBER[unit])
    add(people.index((0, "Finance", "CFO")), "Finance", "Financial Analyst")
    add(people.index((0, "Finance", "CFO")), "Finance", "Payroll Specialist")
    return people


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(20240611)
    people = chart()
    n = len(people)
    boss = np.array([p[0] for p in people])
    unit = np.array([p[1] for p in people])
    level = np.zeros(n, dtype=int)
    for i in range(1, n):
        level[i] = level[boss[i]] + 1
    # Ids follow hiring order, not the hierarchy; the chief executive is E0001.
    ids = np.empty(n, dtype=object)
    ids[0] = "E0001"
    ids[1:] = [f"E{k + 2:04d}" for k in rng.permutation(n - 1)]
    order = np.argsort(ids.astype(str), kind="stable")  # rows sorted by id, as HR exports are
    name = [f"{FIRST[k % len(FIRST)]} {LAST[k // len(FIRST) % len(LAST)]}" for k in range(n)]
    trust = 0.3 + 0.6 * rng.random(n)
    risk = 0.1 + 0.7 * rng.random(n)
    threshold = 0.05 + 0.4 * rng.random(n)
    influence = (1 + 0.5 * (4 - level)) * (0.8 + 0.4 * rng.random(n))

    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "acme_org.csv", "w", newline="") as f:
        f.write("employee_id,name,title,manager_id,unit\n")
        for i in order:
            manager = "" if boss[i] < 0 else ids[boss[i]]
            f.write(f"{ids[i]},{name[i]},{people[i][2]},{manager},{unit[i]}\n")
    with open(args.out / "acme_org_traits.csv", "w", newline="") as f:
        f.write("employee_id,manager_id,unit,trust,risk_aversion,threshold,influence\n")
        for i in order:
            manager = "" if boss[i] < 0 else ids[boss[i]]
            f.write(
                f"{ids[i]},{manager},{unit[i]},{trust[i]:.2f},{risk[i]:.2f},"
                f"{threshold[i]:.2f},{influence[i]:.2f}\n"
            )
    # Ties: meetings together per month. Dense within a team (a manager and their
    # reports, or people sharing a manager), sparser within a unit, rare across.
    with open(args.out / "acme_ties.csv", "w", newline="") as f:
        f.write("source,target,weight\n")
        for a in order:
            for b in order:
                if ids[a] >= ids[b]:
                    continue
                team = boss[a] == b or boss[b] == a or (boss[a] == boss[b] and boss[a] >= 0)
                if team:
                    p, top = 0.8, 12
                elif unit[a] == unit[b]:
                    p, top = 0.12, 5
                else:
                    p, top = 0.015, 3
                if rng.random() < p:
                    f.write(f"{ids[a]},{ids[b]},{rng.integers(1, top + 1)}\n")


if __name__ == "__main__":
    main()
