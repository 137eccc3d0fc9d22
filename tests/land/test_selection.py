"""Site selection and AHP weights over the hand-built land world."""

from __future__ import annotations

import pytest

from gis_app.errors import InvalidParameter
from gis_app.land.criteria import SiteSelection
from gis_app.land.explain import contributions, failures
from gis_app.land.run import select_sites
from gis_app.land.weights import ahp, direct
from tests.land.conftest import SLOPE

REQUEST = {
    "exclude": {
        "status": ["idle", "reserved"],
        "constraints": [{"kinds": ["basic_farmland", "ecological_redline"], "mode": "avoid"}],
    },
    "scores": [
        {
            "name": "近地铁",
            "measure": "distance",
            "distance": {"to": "station", "station_modes": ["metro"]},
            "normalise": {"shape": "linear_down", "low": 0, "high": 1000},
        },
        {
            "name": "坡度",
            "measure": "raster",
            "raster": "dem_slope",
            "normalise": {"shape": "linear_down", "low": 0, "high": 10},
        },
        {
            "name": "面积",
            "measure": "area",
            "normalise": {"shape": "ideal", "ideal": 20000, "tolerance": 15000},
        },
    ],
    "weights": {"values": [5, 3, 2]},
}


def test_ranking_scores_and_exclusions_by_hand(land_session, land_world) -> None:
    request = SiteSelection(**REQUEST)
    result = select_sites(land_session, request, land_world["raster_dir"])
    slope_score = (10 - SLOPE) / 10  # 0.42894
    third = 1 - 10_000 / 15_000  # a 10 000 m² parcel against the ideal 20 000 ± 15 000
    expected = {
        # metro 50 m → 0.95; flat → 1; 10 000 m² → 1/3
        "P1": 0.5 * 0.95 + 0.3 * 1 + 0.2 * third,
        # metro 150 m → 0.85; slope 5.71° → 0.429; 20 000 m² → 1
        "P2": 0.5 * 0.85 + 0.3 * slope_score + 0.2 * 1,
        # metro 850 m → 0.15 (S2 is a bus stop); slope → 0.429; 1/3
        "P6": 0.5 * 0.15 + 0.3 * slope_score + 0.2 * third,
    }
    assert [r["parcel_code"] for r in result.ranked] == ["P1", "P2", "P6"]
    assert [r["rank"] for r in result.ranked] == [1, 2, 3]
    for row in result.ranked:
        assert float(row["score"]) == pytest.approx(expected[row["parcel_code"]], abs=1e-4)
    assert result.total == 3
    parts = contributions(result.ranked[1], request.scores, result.weights)
    assert [p["score"] for p in parts] == pytest.approx([0.85, slope_score, 1.0], abs=1e-4)
    assert [p["contribution"] for p in parts] == pytest.approx(
        [0.425, 0.3 * slope_score, 0.2], abs=1e-4
    )
    why = {r["parcel_code"]: failures(r, request.exclude, "zh-CN") for r in result.excluded}
    assert why == {
        "P3": ["与永久基本农田重叠 10,000 m²"],
        "P4": ["与生态保护红线重叠 5,000 m²"],
        "P5": ["状态为在用，要求闲置、储备"],
    }
    assert result.excluded_total == 3


def test_excluded_page_shows_nearest_misses_first_and_counts_all(land_session, land_world) -> None:
    # P3 and P4 were candidates (idle/reserved) failing one zone each; P5 (in use) never was.
    for limit, shown in ((1, ["P3"]), (2, ["P3", "P4"]), (3, ["P3", "P4", "P5"]), (0, [])):
        request = SiteSelection(**REQUEST | {"excluded_limit": limit})
        result = select_sites(land_session, request, land_world["raster_dir"])
        assert [r["parcel_code"] for r in result.excluded] == shown
        assert (result.total, result.excluded_total) == (3, 3)
    past_the_end = SiteSelection(**REQUEST | {"offset": 10})
    result = select_sites(land_session, past_the_end, land_world["raster_dir"])
    assert result.ranked == [] and result.total == 3


def test_missing_raster_data_scores_zero_and_says_so(land_session, land_world) -> None:
    request = SiteSelection(
        **REQUEST
        | {
            "scores": [
                {
                    "name": "高程",
                    "measure": "raster",
                    "raster": "dem",
                    "stat": "max",
                    "normalise": {"shape": "linear_up", "low": 0, "high": 50},
                }
            ],
            "weights": {"values": [1]},
        }
    )
    result = select_sites(land_session, request, land_world["raster_dir"])
    by_code = {r["parcel_code"]: r for r in result.ranked}
    # P6 spans x 1000–1100: the highest touched cell centre is x = 1105, z = 0.1 × 855 = 85.5
    # → capped at 1; P2's highest cell centre is x = 505, z = 25.5 → 0.51.
    assert float(by_code["P6"]["score"]) == pytest.approx(1.0)
    assert float(by_code["P2"]["score"]) == pytest.approx(25.5 / 50, abs=1e-4)


def test_land_use_classes_score(land_session, land_world) -> None:
    request = SiteSelection(
        **REQUEST
        | {
            "scores": [
                {
                    "name": "用地类型",
                    "measure": "landuse",
                    "scheme": "GB/T 21010-2017",
                    "normalise": {"shape": "classes", "classes": {"08": 0.6, "0801": 1, "12": 0.8}},
                }
            ],
            "weights": {"values": [1]},
        }
    )
    result = select_sites(land_session, request, land_world["raster_dir"])
    scores = {r["parcel_code"]: float(r["score"]) for r in result.ranked}
    # The longest matching code wins: 0801 → 1 (not 08 → 0.6); 1201 → 12 → 0.8.
    assert scores == {"P1": 1.0, "P6": 1.0, "P2": 0.8}


def test_ahp_weights_of_the_textbook_matrix() -> None:
    w = ahp([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    # Saaty's 3×3 example: principal eigenvector ≈ (0.637, 0.258, 0.105), λmax ≈ 3.0385,
    # CI = (3.0385 − 3)/2 = 0.0193, CR = 0.0193/0.58 = 0.033.
    assert w.values == pytest.approx((0.6370, 0.2583, 0.1047), abs=5e-4)
    assert w.lambda_max == pytest.approx(3.0385, abs=1e-3)
    assert w.consistency_ratio == pytest.approx(0.0193 / 0.58, abs=1e-3)
    assert w.consistent is True
    # Equal judgements give equal weights and CR 0.
    flat = ahp([[1, 1], [1, 1]])
    assert flat.values == pytest.approx((0.5, 0.5)) and flat.consistency_ratio == 0


def test_inconsistent_ahp_is_flagged_not_refused() -> None:
    # A beats B 9:1, B beats C 9:1, yet C beats A 9:1: circular judgements.
    w = ahp([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    assert w.consistency_ratio > 0.1
    assert w.consistent is False


@pytest.mark.parametrize(
    ("matrix", "reason"),
    [
        ([[1, 2], [0.5]], "reason.ahp_not_square"),
        ([[1, 2], [2, 1]], "reason.ahp_not_reciprocal"),
        ([[1, -2], [-0.5, 1]], "reason.ahp_not_positive"),
        ([[2, 2], [0.5, 2]], "reason.ahp_diagonal"),
    ],
)
def test_bad_ahp_matrix_names_the_reason(matrix, reason) -> None:
    with pytest.raises(InvalidParameter) as bad:
        ahp(matrix)
    assert bad.value.context == {"field": "weights.ahp", "reason": reason}


def test_direct_weights_are_scaled_and_checked() -> None:
    assert direct([5, 3, 2]).values == pytest.approx((0.5, 0.3, 0.2))
    for bad, reason in (([0, 0], "reason.weights_zero"), ([1, -1], "reason.weights_negative")):
        with pytest.raises(InvalidParameter) as refused:
            direct(bad)
        assert refused.value.context["reason"] == reason


def test_huge_direct_weights_keep_their_ratio() -> None:
    """[1e308, 1e308] summed to infinity and became [0, 0]."""
    assert direct([1e308, 1e308]).values == pytest.approx((0.5, 0.5))
    assert direct([1e308, 5e307, 0]).values == pytest.approx((2 / 3, 1 / 3, 0))


def test_a_nan_weight_is_not_finite_rather_than_negative() -> None:
    for bad in ([float("nan"), 1], [float("inf"), 1]):
        with pytest.raises(InvalidParameter) as refused:
            direct(bad)
        assert refused.value.context["reason"] == "reason.not_finite"
        assert "finite" in refused.value.message("en")
