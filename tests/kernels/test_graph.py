"""build_csr against a dict-of-dicts reference, and CSR invariants."""

import numpy as np
from hypothesis import given, settings

from sim import kernels
from tests import reference
from tests.kernels.strategies import edge_lists


@settings(max_examples=150, deadline=None)
@given(edge_lists())
def test_build_csr_equals_reference(edges):
    src, dst, weights, n = edges
    for merge, code in (("sum", kernels.MERGE_SUM), ("max", kernels.MERGE_MAX)):
        w = np.zeros(0) if weights is None else weights.copy()
        indptr, indices, out_w = kernels.build_csr(src.copy(), dst.copy(), w, n, code)
        ref_indptr, ref_indices, ref_w = reference.csr_from_edges(src, dst, weights, n, merge)
        np.testing.assert_array_equal(indptr, ref_indptr)
        np.testing.assert_array_equal(indices, ref_indices)
        # Sums of duplicates may add in another order than the dict did.
        np.testing.assert_allclose(out_w, ref_w, rtol=1e-12)
        assert indptr.dtype == np.int64 and indices.dtype == np.uint32


@settings(max_examples=100, deadline=None)
@given(edge_lists())
def test_build_csr_is_symmetric_sorted_and_loop_free(edges):
    src, dst, weights, n = edges
    w = np.zeros(0) if weights is None else weights
    indptr, indices, out_w = kernels.build_csr(src, dst, w, n, kernels.MERGE_SUM)
    dense = np.zeros((n, n))
    for i in range(n):
        row = indices[indptr[i] : indptr[i + 1]].astype(np.int64)
        assert np.all(np.diff(row) > 0), "rows sorted, no duplicates"
        assert i not in row
        dense[i, row] = out_w[indptr[i] : indptr[i + 1]]
    np.testing.assert_array_equal(dense, dense.T)


def test_build_csr_does_not_mutate_inputs():
    src = np.array([0, 2, 1, 0])
    dst = np.array([1, 0, 2, 1])
    w = np.array([1.0, 2.0, 3.0, 4.0])
    copies = src.copy(), dst.copy(), w.copy()
    kernels.build_csr(src, dst, w, 3, kernels.MERGE_SUM)
    for a, b in zip((src, dst, w), copies, strict=True):
        np.testing.assert_array_equal(a, b)


def test_long_rows_sort_like_short_ones():
    # A hub with more ties than the insertion-sort cutoff takes the argsort path.
    rng = np.random.default_rng(0)
    leaves = rng.permutation(np.arange(1, 300))
    indptr, indices, _ = kernels.build_csr(
        np.zeros(299, dtype=np.int64), leaves, np.zeros(0), 300, kernels.MERGE_MAX
    )
    np.testing.assert_array_equal(indices[: indptr[1]], np.arange(1, 300))


def test_row_sums():
    indptr = np.array([0, 2, 2, 3])
    weights = np.array([0.5, 1.5, 2.0])
    np.testing.assert_array_equal(kernels.row_sums(indptr, weights), [2.0, 0.0, 2.0])
