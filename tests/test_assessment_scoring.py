"""The score rule (assessment.scoring) against a plain model of it, with hypothesis: every
sheet's total is the base plus each kind's points (weighted by role), held within its cap."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.models import LineKind
from assessment.scoring import (
    BONUSES,
    CAP_GROUP,
    DEDUCTIONS,
    ROLE_LEAD,
    ROLE_SUPPORT,
    Event,
    Figures,
    ranks,
    score_lines,
    score_totals,
)

KINDS = [*DEDUCTIONS, *BONUSES]
money = st.decimals(min_value=0, max_value=50, places=1, allow_nan=False, allow_infinity=False)


@st.composite
def figures(draw) -> Figures:
    groups = sorted(set(CAP_GROUP.values()))
    return Figures(
        base=Decimal(100),
        points={kind: draw(money) for kind in KINDS},
        caps={group: draw(st.none() | money) for group in groups},
        lead_weight=draw(st.sampled_from([Decimal(1), Decimal("0.8")])),
        support_weight=draw(st.sampled_from([Decimal("0.5"), Decimal("0.3"), Decimal(0)])),
    )


events_strategy = st.lists(
    st.builds(
        Event,
        kind=st.sampled_from(KINDS),
        unit_id=st.integers(1, 4),
        role=st.sampled_from([ROLE_LEAD, ROLE_SUPPORT]),
        task_id=st.integers(1, 20),
    ),
    max_size=60,
)
manual = st.lists(
    st.builds(
        Event,
        kind=st.just(LineKind.MANUAL),
        unit_id=st.integers(1, 4),
        points=st.decimals(min_value=-20, max_value=20, places=1, allow_nan=False, allow_infinity=False),
    ),
    max_size=3,
)


def model_total(events: list[Event], f: Figures, unit_id: int) -> Decimal:
    """The rule in words: per cap group, the weighted points, held to the cap; plus manual."""
    groups: dict[str, Decimal] = defaultdict(Decimal)
    total = f.base
    for e in events:
        if e.unit_id != unit_id:
            continue
        if e.kind == LineKind.MANUAL:
            total += e.points
            continue
        weight = f.lead_weight if e.role == ROLE_LEAD else f.support_weight
        sign = -1 if e.kind in DEDUCTIONS else 1
        groups[CAP_GROUP[e.kind]] += sign * (f.points[e.kind] * weight).quantize(Decimal("0.01"))
    for group, points in groups.items():
        cap = f.caps[group]
        if cap is not None:
            points = max(-cap, min(cap, points))
        total += points
    return total


@settings(max_examples=300, deadline=None)
@given(f=figures(), events=events_strategy, adjustments=manual)
def test_totals_match_the_plain_model(f, events, adjustments):
    all_events = events + adjustments
    lines = score_lines(events=all_events, figures=f)
    totals = score_totals(lines=lines, figures=f, unit_ids=[1, 2, 3, 4, 5])
    for unit_id in (1, 2, 3, 4, 5):
        assert totals[unit_id].total == model_total(all_events, f, unit_id)
        # The sheet adds up: base − deducted + added.
        t = totals[unit_id]
        assert t.total == f.base - t.deducted + t.added
    # One line per event, plus at most one 封顶 line per unit and group.
    caps = [line for line in lines if line.kind == LineKind.CAP]
    assert len(lines) == len(all_events) + len(caps)
    assert len({(c.unit_id, c.capped_kind) for c in caps}) == len(caps)


def test_a_cap_line_gives_back_what_goes_beyond_it():
    f = Figures(
        base=Decimal(100),
        points={LineKind.MISSING: Decimal(10)},
        caps={"missing": Decimal(30)},
        lead_weight=Decimal(1),
        support_weight=Decimal("0.5"),
    )
    events = [Event(kind=LineKind.MISSING, unit_id=1, task_id=n) for n in range(5)]
    lines = score_lines(events=events, figures=f)
    assert [line.points for line in lines] == [Decimal(-10)] * 5 + [Decimal(20)]
    assert lines[-1].kind == LineKind.CAP and lines[-1].capped_kind == "missing"
    total = score_totals(lines=lines, figures=f, unit_ids=[1])[1]
    assert (total.total, total.deducted, total.added) == (Decimal(70), Decimal(30), Decimal(0))


def test_a_supporting_unit_bears_its_weight():
    f = Figures(
        base=Decimal(100),
        points={LineKind.OVERDUE: Decimal(5)},
        caps={},
        lead_weight=Decimal(1),
        support_weight=Decimal("0.5"),
    )
    lines = score_lines(
        events=[
            Event(kind=LineKind.OVERDUE, unit_id=1, role=ROLE_LEAD, task_id=7),
            Event(kind=LineKind.OVERDUE, unit_id=2, role=ROLE_SUPPORT, task_id=7),
        ],
        figures=f,
    )
    assert [(line.unit_id, line.points) for line in lines] == [(1, Decimal("-5.00")), (2, Decimal("-2.50"))]


def test_ranks_are_within_a_kind_and_ties_share_a_place():
    totals = {1: Decimal(90), 2: Decimal(95), 3: Decimal(90), 4: Decimal(80), 5: Decimal(99)}
    kinds = {1: "department", 2: "department", 3: "department", 4: "town", 5: "town"}
    assert ranks(totals=totals, kinds=kinds) == {2: 1, 1: 2, 3: 2, 5: 1, 4: 2}


def test_towns_and_streets_are_ranked_together():
    totals = {1: Decimal(90), 2: Decimal(95), 3: Decimal(92)}
    kinds = {1: "town", 2: "street", 3: "town"}
    assert ranks(totals=totals, kinds=kinds) == {2: 1, 3: 2, 1: 3}
