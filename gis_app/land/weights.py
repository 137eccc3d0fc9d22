"""Criterion weights: given directly, or derived by AHP from a pairwise comparison matrix.

AHP (Saaty): the weights are the principal eigenvector of the reciprocal matrix, normalised
to sum 1; the consistency index CI = (λmax − n)/(n − 1) over Saaty's random index RI gives the
consistency ratio CR, and CR > 0.1 is flagged as inconsistent judgements (not refused).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gis_app.errors import InvalidParameter

RANDOM_INDEX = (0.0, 0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48)
"""Saaty's RI for n = 0..12 (n ≤ 2 is always consistent)."""
CR_LIMIT = 0.1
RECIPROCAL_TOLERANCE = 0.02
"""a[j][i] may differ from 1/a[i][j] by 2 %, so that 0.33 stands for 1/3."""


@dataclass(frozen=True)
class Weights:
    """Normalised weights and, for AHP, how consistent the judgements were."""

    values: tuple[float, ...]
    method: str
    lambda_max: float | None = None
    consistency_index: float | None = None
    consistency_ratio: float | None = None

    @property
    def consistent(self) -> bool | None:
        """None for direct weights; False when CR exceeds 0.1."""
        if self.consistency_ratio is None:
            return None
        return self.consistency_ratio <= CR_LIMIT


def direct(values: list[float]) -> Weights:
    """Weights as given, scaled to sum 1; non-finite or negative ones or a zero sum are
    refused. Divided by the largest first, so that [1e308, 1e308] is [0.5, 0.5], not an
    overflowing sum."""
    if not all(np.isfinite(values)):
        raise InvalidParameter(field="weights.values", reason="reason.not_finite")
    if any(v < 0 for v in values):
        raise InvalidParameter(field="weights.values", reason="reason.weights_negative")
    largest = max(values, default=0.0)
    if largest <= 0:
        raise InvalidParameter(field="weights.values", reason="reason.weights_zero")
    scaled = [v / largest for v in values]
    total = sum(scaled)
    return Weights(values=tuple(v / total for v in scaled), method="direct")


def ahp(matrix: list[list[float]]) -> Weights:
    """Weights from a Saaty pairwise matrix, with λmax, CI and CR."""
    n = len(matrix)
    if n == 0 or any(len(row) != n for row in matrix):
        raise InvalidParameter(field="weights.ahp", reason="reason.ahp_not_square")
    a = np.asarray(matrix, dtype=float)
    if not np.isfinite(a).all() or (a <= 0).any():
        raise InvalidParameter(field="weights.ahp", reason="reason.ahp_not_positive")
    if not np.allclose(np.diag(a), 1.0):
        raise InvalidParameter(field="weights.ahp", reason="reason.ahp_diagonal")
    if not np.allclose(a * a.T, 1.0, rtol=RECIPROCAL_TOLERANCE, atol=0):
        raise InvalidParameter(field="weights.ahp", reason="reason.ahp_not_reciprocal")
    eigenvalues, eigenvectors = np.linalg.eig(a)
    k = int(np.argmax(eigenvalues.real))
    vector = np.abs(eigenvectors[:, k].real)
    lambda_max = float(eigenvalues[k].real)
    ci = (lambda_max - n) / (n - 1) if n > 2 else 0.0
    ri = RANDOM_INDEX[n] if n < len(RANDOM_INDEX) else RANDOM_INDEX[-1]
    cr = ci / ri if ri > 0 else 0.0
    return Weights(
        values=tuple(float(v) for v in vector / vector.sum()),
        method="ahp",
        lambda_max=round(lambda_max, 6),
        consistency_index=round(ci, 6),
        consistency_ratio=round(cr, 6),
    )
