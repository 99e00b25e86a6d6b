"""The re-evaluation rule (Oslostandard tiltak 7): last signing + interval, in Oslo days."""
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kartlegging.domain import due as rule


def test_never_signed_is_due_today():
    d = rule.due(None, date(2026, 6, 1), 120)
    assert (d.state, d.date, d.days) == (rule.NEVER, date(2026, 6, 1), 0)
    assert d.urgent and d.label == "Aldri kartlagt – forfaller nå"


def test_signed_counts_from_the_oslo_date_plus_interval():
    # 10:00 UTC on 1 February = 11:00 in Oslo, same date
    d = rule.due(datetime(2026, 2, 1, 10, 0), date(2026, 2, 2), 120)
    assert d.date == date(2026, 6, 1) and d.state == rule.OK and d.days == 119


def test_states_around_the_due_date():
    signed = datetime(2026, 1, 1, 12, 0)           # due 2026-05-01
    assert rule.due(signed, date(2026, 4, 16), 120).state == rule.OK      # 15 days left
    assert rule.due(signed, date(2026, 4, 17), 120).state == rule.SOON    # 14 days left
    assert rule.due(signed, date(2026, 5, 1), 120).state == rule.SOON     # due today
    late = rule.due(signed, date(2026, 5, 2), 120)
    assert late.state == rule.OVERDUE and late.days == -1


def test_custom_interval():
    signed = datetime(2026, 1, 1, 12, 0)
    assert rule.due(signed, date(2026, 1, 1), 30).date == date(2026, 1, 31)
    assert rule.due(signed, date(2026, 2, 1), 30).state == rule.OVERDUE
    assert rule.due(signed, date(2026, 2, 1), 120).state == rule.OK


def test_signed_just_after_midnight_in_summer_time_counts_from_the_oslo_date():
    # 22:30 UTC on 28 June is 00:30 on 29 June in Oslo (UTC+2)
    d = rule.due(datetime(2026, 6, 28, 22, 30), date(2026, 7, 1), 120)
    assert d.date == date(2026, 6, 29) + timedelta(days=120)


def test_signed_just_after_midnight_in_winter_time_counts_from_the_oslo_date():
    # 23:30 UTC on 14 January is 00:30 on 15 January in Oslo (UTC+1)
    d = rule.due(datetime(2026, 1, 14, 23, 30), date(2026, 2, 1), 120)
    assert d.date == date(2026, 1, 15) + timedelta(days=120)
    # 22:30 UTC the same night is still 14 January in Oslo
    assert rule.due(datetime(2026, 1, 14, 22, 30), date(2026, 2, 1), 120).date == \
        date(2026, 1, 14) + timedelta(days=120)


def test_interval_across_the_clock_changes_is_counted_in_calendar_days():
    # Signed before the spring change (29 March 2026), due after the autumn change
    # (25 October 2026): 240 calendar days, whatever the hours in between.
    d = rule.due(datetime(2026, 3, 1, 8, 0), date(2026, 3, 1), 240)
    assert d.date == date(2026, 10, 27)
    # On the night of the spring change itself: 00:30 Oslo = 23:30 UTC the day before
    assert rule.due(datetime(2026, 3, 28, 23, 30), date(2026, 4, 1), 1).date == \
        date(2026, 3, 30)


def test_start_of_day_follows_summer_and_winter_time():
    assert rule.start_of_day_utc(date(2026, 1, 15)) == datetime(2026, 1, 14, 23, 0)
    assert rule.start_of_day_utc(date(2026, 7, 15)) == datetime(2026, 7, 14, 22, 0)
    # the day of the spring change begins at 23:00 UTC (still winter time at midnight)
    assert rule.start_of_day_utc(date(2026, 3, 29)) == datetime(2026, 3, 28, 23, 0)
    assert rule.start_of_day_utc(date(2026, 3, 30)) == datetime(2026, 3, 29, 22, 0)


@settings(max_examples=300, deadline=None)
@given(signed=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 1, 1)),
       today=st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 6, 1)),
       interval=st.integers(min_value=1, max_value=400))
def test_database_cutoffs_agree_with_the_rule(signed, today, interval):
    """The overview filters in SQL with these instants; they must give the same answer as
    due() for every signing time, across daylight-saving changes."""
    cut = rule.cutoffs(today, interval)
    state = rule.due(signed, today, interval).state
    assert (signed < cut.overdue_before) == (state == rule.OVERDUE)
    assert (cut.overdue_before <= signed < cut.soon_before) == (state == rule.SOON)
    assert (signed >= cut.soon_before) == (state == rule.OK)
