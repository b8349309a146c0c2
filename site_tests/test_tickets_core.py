"""Business calendars and tickets against their targets: the rules of core/calendars.py and core/tickets.py."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mkdocs_sla.core.calendars import BusinessCalendar, Hours, always_open
from mkdocs_sla.core.tickets import PeriodRule, Ticket, TicketStatus, TicketTarget, in_period, judge, percentile, share, summarize

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = ((Hours(480, 1080),),) * 5 + ((), ())  # Monday to Friday 08:00-18:00


def office(**changes) -> BusinessCalendar:
    """Berlin office hours with the public holidays of Berlin, 2024 to 2026."""
    closed = dict(holidays.country_holidays("DE", subdiv="BE", years=range(2024, 2027)))
    closed.update(changes.pop("closed", {}))
    return BusinessCalendar("office", "Europe/Berlin", OFFICE, closed=tuple(sorted(closed.items())), **changes)


def at(text: str) -> dt.datetime:
    """A Berlin wall time, `2025-03-28 17:00`."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def s(text: str) -> int:
    return int(at(text).timestamp())


@pytest.mark.parametrize(
    ("rule", "start", "minutes", "deadline"),
    [
        ("a weekend does not count", "2025-03-07 17:00", 120, "2025-03-10 09:00"),
        ("Good Friday and Easter Monday are closed (Easter 2025: 20 April)", "2025-04-17 17:00", 120, "2025-04-22 09:00"),
        ("Easter moves: Good Friday 2024 is 29 March", "2024-03-28 17:00", 120, "2024-04-02 09:00"),
        ("a deadline reached at the end of the day is that end, not the next opening", "2025-04-16 16:00", 120, "2025-04-16 18:00"),
        ("a ticket opened outside hours starts at the next opening", "2025-03-04 06:30", 60, "2025-03-04 09:00"),
        ("a ticket opened at night on Friday starts on Monday", "2025-03-07 23:00", 30, "2025-03-10 08:30"),
        ("daylight saving starts (30 March 2025): Friday to Monday in office hours", "2025-03-28 17:00", 120, "2025-03-31 09:00"),
        ("daylight saving ends (26 October 2025)", "2025-10-24 17:30", 60, "2025-10-27 08:30"),
        ("Women's Day is a holiday in Berlin (8 March 2024, a Friday)", "2024-03-07 17:00", 120, "2024-03-11 09:00"),
    ],
)
def test_business_deadline(rule, start, minutes, deadline):
    assert office().deadline_after(at(start), minutes) == at(deadline), rule


def test_a_changed_hours_date_has_its_own_hours():
    calendar = office(changed=((dt.date(2025, 12, 23), (Hours(480, 720),)),), closed={dt.date(2025, 12, 24): "Christmas Eve"})
    # 23 December 2025 closes at 12:00: two hours from 11:00 run on the 29th (24th to 26th closed, then the weekend).
    assert calendar.deadline_after(at("2025-12-23 11:00"), 60) == at("2025-12-23 12:00")
    assert calendar.business_time(at("2025-12-23 08:00"), at("2025-12-23 18:00")) == 240
    assert calendar.deadline_after(at("2025-12-23 11:00"), 120) == at("2025-12-29 09:00")


def test_an_extra_closed_day_is_closed():
    calendar = office(closed={dt.date(2025, 12, 22): "company day"})
    assert calendar.business_time(at("2025-12-22 00:00"), at("2025-12-23 00:00")) == 0


@pytest.mark.parametrize(
    ("rule", "start", "end", "minutes"),
    [
        ("a full day around the clock on the day the clocks go forward is 23 hours", "2025-03-30 00:00", "2025-03-31 00:00", 23 * 60),
        ("and on the day they go back, 25 hours", "2025-10-26 00:00", "2025-10-27 00:00", 25 * 60),
    ],
)
def test_24x7_days_across_clock_changes(rule, start, end, minutes):
    calendar = BusinessCalendar("all", "Europe/Berlin", ((Hours(0, 1440),),) * 7)
    assert calendar.business_time(at(start), at(end)) == minutes, rule


def test_a_24x7_target_counts_nights_and_weekends():
    calendar = always_open()
    assert calendar.deadline_after(at("2025-03-08 23:50"), 30) == at("2025-03-09 00:20")
    assert calendar.deadline_after(at("2025-03-30 01:50"), 30) == at("2025-03-30 03:20")  # the skipped hour is not counted twice


def test_several_spans_a_day():
    week = ((Hours(480, 720), Hours(780, 1020)),) * 5 + ((), ())
    calendar = BusinessCalendar("lunch", "Europe/Berlin", week)
    assert calendar.deadline_after(at("2025-03-03 11:30"), 60) == at("2025-03-03 13:30")
    assert calendar.business_time(at("2025-03-03 00:00"), at("2025-03-04 00:00")) == 8 * 60


def test_a_timed_closure_is_taken_out():
    closure = (s("2025-03-03 10:00"), s("2025-03-03 12:00"))
    calendar = BusinessCalendar("c", "Europe/Berlin", OFFICE, closures=(closure,))
    assert calendar.business_time(at("2025-03-03 08:00"), at("2025-03-03 18:00")) == 8 * 60


def ticket(created, first=None, resolved=None, pauses=(), priority="P3", ticket_id="T-1") -> Ticket:
    return Ticket(ticket_id, priority, s(created), s(first) if first else None, s(resolved) if resolved else None, pauses)


def judged_at_the_end_of_march(ticket: Ticket, seconds: int, target: TicketTarget = TicketTarget.FIRST_RESPONSE, **options):
    """The ticket judged on 1 April 2025 against a target of `seconds` in office hours."""
    return judge(ticket, target, seconds, office(), s("2025-04-01 00:00"), **options)


def test_a_deadline_met_to_the_minute_is_met():
    outcome = judged_at_the_end_of_march(ticket("2025-03-04 09:00", first="2025-03-04 17:00"), 8 * 3600)
    assert outcome.deadline == s("2025-03-04 17:00") and outcome.status is TicketStatus.MET
    exactly = judged_at_the_end_of_march(ticket("2025-03-04 09:00", first="2025-03-04 11:00"), 2 * 3600)
    assert exactly.deadline == s("2025-03-04 11:00") and exactly.status is TicketStatus.MET


def test_a_deadline_met_exactly_is_breached_when_the_agreement_says_so():
    outcome = judged_at_the_end_of_march(ticket("2025-03-04 09:00", first="2025-03-04 11:00"), 2 * 3600, met_at_deadline=False)
    assert outcome.status is TicketStatus.BREACHED


def test_a_response_a_second_late_is_breached():
    outcome = judged_at_the_end_of_march(ticket("2025-03-04 09:00", first="2025-03-04 11:00:01"), 7200)
    assert outcome.status is TicketStatus.BREACHED and outcome.taken == 7201


def test_a_pause_inside_the_day_moves_the_deadline_and_is_not_counted():
    pause = ((s("2025-03-04 10:00"), s("2025-03-04 11:30")),)
    outcome = judged_at_the_end_of_march(ticket("2025-03-04 09:00", first="2025-03-04 12:00", pauses=pause), 7200)
    assert outcome.deadline == s("2025-03-04 12:30")
    assert (outcome.taken, outcome.paused, outcome.status) == (5400, 5400, TicketStatus.MET)


def test_a_pause_across_the_night_takes_out_only_business_time():
    pause = ((s("2025-03-04 17:00"), s("2025-03-05 09:00")),)  # one business hour of it: 17:00-18:00 and 08:00-09:00 = 2 h
    outcome = judged_at_the_end_of_march(ticket("2025-03-04 16:00", first="2025-03-05 10:00", pauses=pause), 7200)
    assert outcome.paused == 2 * 3600 and outcome.taken == 2 * 3600
    assert outcome.deadline == s("2025-03-05 10:00") and outcome.status is TicketStatus.MET


def test_a_ticket_still_open_at_the_end_of_the_period():
    late = judged_at_the_end_of_march(ticket("2025-03-31 09:00"), 3600)
    assert late.status is TicketStatus.BREACHED and late.stop is None
    not_yet_due = judged_at_the_end_of_march(ticket("2025-03-31 17:30"), 3600)
    assert not_yet_due.status is TicketStatus.OPEN


def test_a_ticket_paused_with_no_end_has_no_deadline_and_stays_open():
    paused = ticket("2025-03-04 09:00", pauses=((s("2025-03-04 09:30"), None),))
    outcome = judged_at_the_end_of_march(paused, 7200, target=TicketTarget.RESOLUTION)
    assert outcome.deadline is None and outcome.status is TicketStatus.OPEN


def test_the_period_rule_created_or_due():
    late_march = ticket("2025-03-31 17:00", first="2025-04-01 09:00")
    period = (s("2025-01-01 00:00"), s("2025-04-01 00:00"))
    common = {
        "column": "priority",
        "values": frozenset({"P3"}),
        "target": TicketTarget.FIRST_RESPONSE,
        "seconds": 7200,
        "calendar": office(),
    }
    created = summarize([late_march], period=period, rule=PeriodRule.CREATED, **common)
    due = summarize([late_march], period=period, rule=PeriodRule.DUE, **common)
    assert (created.counted, created.elsewhere) == (1, 0)
    assert (due.counted, due.elsewhere) == (0, 1)


def test_attainment_is_met_over_counted_exactly():
    tickets = [ticket("2025-03-04 09:00", first="2025-03-04 09:30", ticket_id=f"T-{i}") for i in range(2)]
    tickets.append(ticket("2025-03-04 09:00", first="2025-03-04 12:00", ticket_id="T-late"))
    summary = summarize(
        tickets,
        column="priority",
        values=frozenset({"P3"}),
        target=TicketTarget.FIRST_RESPONSE,
        seconds=3600,
        calendar=office(),
        period=(s("2025-03-01 00:00"), s("2025-04-01 00:00")),
    )
    assert share(summary) == Fraction(200, 3)
    assert [o.ticket.id for o in summary.breaches] == ["T-late"]


@pytest.mark.parametrize(("percent", "expected"), [(50, 20), (90, 40), (100, 40), (1, 10)])
def test_percentile_is_the_nearest_rank(percent, expected):
    assert percentile((10, 20, 30, 40), Fraction(percent)) == expected


# ---------------------------------------------------------------- properties

moments = st.integers(min_value=s("2025-01-01 00:00"), max_value=s("2025-12-31 00:00"))
CALENDAR = office()


@settings(max_examples=200, deadline=None)
@given(moments, st.integers(min_value=0, max_value=30 * 86400))
def test_business_time_never_exceeds_wall_time(start, length):
    assert 0 <= CALENDAR.business_seconds(start, start + length) <= length


@settings(max_examples=200, deadline=None)
@given(moments, st.integers(min_value=1, max_value=40 * 3600))
def test_the_deadline_is_where_business_time_reaches_the_target(start, seconds):
    due = CALENDAR.deadline(start, seconds)
    assert CALENDAR.business_seconds(start, due) == seconds
    assert CALENDAR.business_seconds(start, due - 1) == seconds - 1


@settings(max_examples=200, deadline=None)
@given(
    moments,
    st.integers(min_value=0, max_value=5 * 86400),
    st.integers(min_value=0, max_value=5 * 86400),
    st.integers(min_value=1, max_value=3 * 86400),
)
def test_adding_a_pause_never_makes_a_met_ticket_breached(created, reply_after, pause_after, pause_length):
    base = Ticket("T", "P3", created, created + reply_after, None)
    before = judge(base, TicketTarget.FIRST_RESPONSE, 8 * 3600, CALENDAR, created + 90 * 86400)
    pause = (created + pause_after, created + pause_after + pause_length)
    after = judge(
        Ticket("T", "P3", created, created + reply_after, None, (pause,)),
        TicketTarget.FIRST_RESPONSE,
        8 * 3600,
        CALENDAR,
        created + 90 * 86400,
    )
    if before.status is TicketStatus.MET:
        assert after.status is TicketStatus.MET


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(moments, st.integers(min_value=60, max_value=4 * 86400)), min_size=1, max_size=30), st.randoms())
def test_results_are_independent_of_row_order(rows, rnd):
    tickets = [Ticket(f"T-{i}", "P3", c, c + w, None) for i, (c, w) in enumerate(rows)]
    shuffled = list(tickets)
    rnd.shuffle(shuffled)
    common = {
        "column": "priority",
        "values": frozenset({"P3"}),
        "target": TicketTarget.FIRST_RESPONSE,
        "seconds": 8 * 3600,
        "calendar": CALENDAR,
        "period": (s("2025-01-01 00:00"), s("2026-01-01 00:00")),
    }
    assert summarize(tickets, **common) == summarize(shuffled, **common)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(moments, st.one_of(st.none(), st.integers(min_value=0, max_value=6 * 86400))), min_size=1, max_size=30),
    st.sampled_from([PeriodRule.CREATED, PeriodRule.DUE]),
    st.booleans(),
)
def test_a_period_summary_agrees_with_judging_each_ticket(rows, rule, met_at_deadline):
    period = (s("2025-03-01 00:00"), s("2025-09-01 00:00"))
    tickets = [Ticket(f"T-{i}", "P3", c, None if w is None else c + w, None) for i, (c, w) in enumerate(rows)]
    summary = summarize(
        tickets,
        column="priority",
        values=frozenset({"P3"}),
        target=TicketTarget.FIRST_RESPONSE,
        seconds=8 * 3600,
        calendar=CALENDAR,
        period=period,
        rule=rule,
        met_at_deadline=met_at_deadline,
    )
    outcomes = [judge(t, TicketTarget.FIRST_RESPONSE, 8 * 3600, CALENDAR, period[1], met_at_deadline) for t in tickets]
    counted = [o for o in outcomes if in_period(o, rule, *period)]
    assert summary.met == sum(o.status is TicketStatus.MET for o in counted)
    assert summary.breached == sum(o.status is TicketStatus.BREACHED for o in counted)
    assert summary.open == sum(o.status is TicketStatus.OPEN for o in counted)
    assert summary.elsewhere == len(outcomes) - len(counted)
    assert summary.breaches == tuple(
        sorted((o for o in counted if o.status is TicketStatus.BREACHED), key=lambda o: (o.ticket.created, o.ticket.id))
    )
