import { describe, expect, it } from 'vitest';
import { kql, scalar } from '../helpers/kql.js';

/** All cells of a one-row `print`. */
function row(query: string): unknown[] {
  return kql(query).rows[0];
}

describe('calendar parts', () => {
  it('reads year, month, day, day of year and hour, also before 1970', () => {
    expect(
      row(
        'print getyear(datetime(1969-12-31 23:00)), getmonth(datetime(1969-12-31)), monthofyear(datetime(2024-02-29))',
      ),
    ).toEqual([1969, 12, 2]);
    expect(
      row(
        'print dayofmonth(datetime(2024-02-29)), dayofyear(datetime(2024-12-31)), dayofyear(datetime(2023-12-31))',
      ),
    ).toEqual([29, 366, 365]);
    expect(
      row('print hourofday(datetime(1969-12-31 23:59:59.9999999)), hourofday(datetime(2020-01-01 07:30))'),
    ).toEqual([23, 7]);
  });

  it('types the parts as int and dayofweek as a timespan', () => {
    const result = kql('print getyear(now()), dayofweek(now())');
    expect(result.columns.map((c) => c.type)).toEqual(['int', 'timespan']);
  });

  it('dayofweek counts days since the preceding Sunday', () => {
    // 1970-01-01 was a Thursday; 0001-01-01 was a Monday; 2024-03-03 was a Sunday.
    expect(
      row(
        'print dayofweek(datetime(1970-01-01)), dayofweek(datetime(0001-01-01)), dayofweek(datetime(2024-03-03 23:59))',
      ),
    ).toEqual(['4.00:00:00', '1.00:00:00', '00:00:00']);
    expect(scalar('print dayofweek(datetime(1969-12-27 12:00))')).toBe('6.00:00:00');
  });

  it('week_of_year follows ISO 8601 (week 1 holds the first Thursday)', () => {
    // 2021-01-03 is a Sunday still in 2020's week 53; 2019-12-30 is a Monday in 2020's week 1.
    expect(
      row(
        'print week_of_year(datetime(2021-01-03)), week_of_year(datetime(2021-01-04)), week_of_year(datetime(2019-12-30)), week_of_year(datetime(2015-12-31)), week_of_year(datetime(1969-12-29))',
      ),
    ).toEqual([53, 1, 1, 53, 1]);
  });

  it('returns null for a null datetime', () => {
    expect(
      row('print getyear(datetime(null)), dayofweek(datetime(null)), week_of_year(datetime(null))'),
    ).toEqual([null, null, null]);
  });
});

describe('datetime_part', () => {
  it('extracts every documented part, case-insensitively', () => {
    const dt = 'datetime(2024-02-29 13:04:05.1234567)';
    const parts = [
      'Year',
      'quarter',
      'MONTH',
      'week_of_year',
      'day',
      'DayOfYear',
      'hour',
      'minute',
      'second',
      'millisecond',
      'microsecond',
      'nanosecond',
    ];
    const query = `print ${parts.map((p) => `datetime_part('${p}', ${dt})`).join(', ')}`;
    expect(row(query)).toEqual([2024, 1, 2, 9, 29, 60, 13, 4, 5, 123, 123456, 123456700]);
    expect(kql(query).columns[0].type).toBe('int');
  });

  it('datepart is an alias; fractions of negative ticks count from the second start', () => {
    expect(
      row(
        "print datepart('second', datetime(1969-12-31 23:59:58.75)), datepart('millisecond', datetime(1969-12-31 23:59:58.75))",
      ),
    ).toEqual([58, 750]);
  });

  it('rejects an unknown part', () => {
    expect(() => kql("print datetime_part('fortnight', now())")).toThrow();
  });
});

describe('start and end of periods', () => {
  it('startofday/week/month/year with offsets', () => {
    const dt = 'datetime(2024-02-29 13:04:05)';
    expect(
      row(`print startofday(${dt}), startofday(${dt}, -1), startofweek(${dt}), startofweek(${dt}, 2)`),
    ).toEqual([
      '2024-02-29T00:00:00Z',
      '2024-02-28T00:00:00Z',
      '2024-02-25T00:00:00Z',
      '2024-03-10T00:00:00Z',
    ]);
    expect(
      row(
        `print startofmonth(${dt}), startofmonth(${dt}, -2), startofmonth(${dt}, 11), startofyear(${dt}, -1)`,
      ),
    ).toEqual([
      '2024-02-01T00:00:00Z',
      '2023-12-01T00:00:00Z',
      '2025-01-01T00:00:00Z',
      '2023-01-01T00:00:00Z',
    ]);
  });

  it('endof* is the last tick of the period; month ends follow leap years', () => {
    expect(
      row(
        'print endofmonth(datetime(2024-02-10)), endofmonth(datetime(2023-02-10)), endofmonth(datetime(1900-02-01)), endofmonth(datetime(2000-02-01))',
      ),
    ).toEqual([
      '2024-02-29T23:59:59.9999999Z',
      '2023-02-28T23:59:59.9999999Z',
      '1900-02-28T23:59:59.9999999Z',
      '2000-02-29T23:59:59.9999999Z',
    ]);
    expect(
      row(
        'print endofday(datetime(1969-12-31 05:00)), endofweek(datetime(2024-03-03)), endofyear(datetime(2024-06-01), 1), endofmonth(datetime(2024-01-31), 1)',
      ),
    ).toEqual([
      '1969-12-31T23:59:59.9999999Z',
      '2024-03-09T23:59:59.9999999Z',
      '2025-12-31T23:59:59.9999999Z',
      '2024-02-29T23:59:59.9999999Z',
    ]);
  });

  it('weeks before 1970 still start on Sunday', () => {
    // 1969-12-31 was a Wednesday.
    expect(scalar('print startofweek(datetime(1969-12-31 10:00))')).toBe('1969-12-28T00:00:00Z');
  });

  it('offsets per row, and null for null inputs or results outside the datetime range', () => {
    const result = kql('range o from -1 to 1 step 1 | project s = startofmonth(datetime(2024-01-15), o)');
    expect(result.rows).toEqual([
      ['2023-12-01T00:00:00Z'],
      ['2024-01-01T00:00:00Z'],
      ['2024-02-01T00:00:00Z'],
    ]);
    expect(
      row(
        'print startofyear(datetime(0001-05-05), -1), endofday(datetime(null)), startofday(now(), long(null))',
      ),
    ).toEqual([null, null, null]);
  });
});

describe('datetime_add', () => {
  it('adds calendar periods, clamping the day to the month length', () => {
    expect(
      row(
        "print datetime_add('month', 1, datetime(2024-01-31)), datetime_add('year', 1, datetime(2024-02-29 06:00)), datetime_add('quarter', -1, datetime(2024-05-31)), datetime_add('Month', -13, datetime(2024-03-31))",
      ),
    ).toEqual([
      '2024-02-29T00:00:00Z',
      '2025-02-28T06:00:00Z',
      '2024-02-29T00:00:00Z',
      '2023-02-28T00:00:00Z',
    ]);
  });

  it('adds fixed periods down to nanoseconds (whole ticks)', () => {
    expect(
      row(
        "print datetime_add('week', -1, datetime(1970-01-03)), datetime_add('hour', 25, datetime(2024-01-01)), datetime_add('millisecond', 1500, datetime(2024-01-01)), datetime_add('microsecond', 3, datetime(2024-01-01)), datetime_add('nanosecond', 300, datetime(2024-01-01))",
      ),
    ).toEqual([
      '1969-12-27T00:00:00Z',
      '2024-01-02T01:00:00Z',
      '2024-01-01T00:00:01.5Z',
      '2024-01-01T00:00:00.000003Z',
      '2024-01-01T00:00:00.0000003Z',
    ]);
  });

  it('returns null for nulls and results outside the range', () => {
    expect(
      row(
        "print datetime_add('day', 1, datetime(null)), datetime_add('year', -1, datetime(0001-06-01)), datetime_add('day', long(null), now())",
      ),
    ).toEqual([null, null, null]);
  });
});

describe('datetime_diff', () => {
  it('counts period boundaries crossed (both sides truncated to the period)', () => {
    expect(
      row(
        "print datetime_diff('year', datetime(2024-01-01), datetime(2023-12-31 23:59)), datetime_diff('quarter', datetime(2024-04-01), datetime(2024-03-31)), datetime_diff('month', datetime(2024-03-01), datetime(2023-12-31)), datetime_diff('day', datetime(2024-03-01 00:01), datetime(2024-02-28 23:59))",
      ),
    ).toEqual([1, 1, 3, 2]);
    expect(
      row(
        "print datetime_diff('hour', datetime(2024-01-01 10:00), datetime(2024-01-01 09:59:59)), datetime_diff('minute', datetime(2024-01-01 10:00:00), datetime(2024-01-01 10:01:59)), datetime_diff('second', datetime(1970-01-01 00:00:00.1), datetime(1969-12-31 23:59:59.9))",
      ),
    ).toEqual([1, -1, 1]);
  });

  it('weeks start on Sunday; sub-second units truncate; nanoseconds are exact', () => {
    // Saturday 2024-03-02 → Sunday 2024-03-03 crosses one week start; Sunday → Saturday of the same week none.
    expect(
      row(
        "print datetime_diff('week', datetime(2024-03-03), datetime(2024-03-02)), datetime_diff('week', datetime(2024-03-09), datetime(2024-03-03)), datetime_diff('week', datetime(1970-01-04), datetime(1969-12-27))",
      ),
    ).toEqual([1, 0, 2]);
    expect(
      row(
        "print datetime_diff('millisecond', datetime(2024-01-01 00:00:00.0029), datetime(2024-01-01 00:00:00.0011)), datetime_diff('microsecond', datetime(2024-01-01 00:00:00.0000019), datetime(2024-01-01)), datetime_diff('nanosecond', datetime(2024-01-01), datetime(2024-01-01 00:00:00.0000003))",
      ),
    ).toEqual([1, 1, -300]);
    expect(kql("print datetime_diff('day', now(), now())").columns[0].type).toBe('long');
  });

  it('returns null when either side is null', () => {
    expect(scalar("print datetime_diff('day', datetime(null), now())")).toBeNull();
  });
});

describe('make_datetime and make_timespan', () => {
  it('builds datetimes, with fractional seconds to the tick', () => {
    expect(
      row(
        'print make_datetime(2024, 2, 29), make_datetime(1969, 12, 31, 23, 59), make_datetime(2024, 1, 1, 0, 0, 1.0000001)',
      ),
    ).toEqual(['2024-02-29T00:00:00Z', '1969-12-31T23:59:00Z', '2024-01-01T00:00:01.0000001Z']);
  });

  it('returns null for invalid dates and times', () => {
    expect(
      row(
        'print make_datetime(2023, 2, 29), make_datetime(2024, 13, 1), make_datetime(0, 1, 1), make_datetime(2024, 1, 1, 24, 0), make_datetime(2024, 1, 1, 0, 0, 60), make_datetime(int(null), 1, 1)',
      ),
    ).toEqual([null, null, null, null, null, null]);
  });

  it('builds timespans from hours/minutes[/seconds] or days/hours/minutes/seconds', () => {
    expect(
      row(
        'print make_timespan(2, 30), make_timespan(2, 30, 15), make_timespan(3, 4, 5, 6), make_timespan(int(null), 1)',
      ),
    ).toEqual(['02:30:00', '02:30:15', '3.04:05:06', null]);
  });
});

describe('unixtime_*_todatetime', () => {
  it('converts each unit, including fractions and negative values', () => {
    expect(
      row(
        'print unixtime_seconds_todatetime(86400), unixtime_seconds_todatetime(-0.5), unixtime_milliseconds_todatetime(1.5), unixtime_microseconds_todatetime(-1), unixtime_nanoseconds_todatetime(1000)',
      ),
    ).toEqual([
      '1970-01-02T00:00:00Z',
      '1969-12-31T23:59:59.5Z',
      '1970-01-01T00:00:00.0015Z',
      '1969-12-31T23:59:59.999999Z',
      '1970-01-01T00:00:00.000001Z',
    ]);
  });

  it('keeps decimal fractions exact and returns null for null, NaN or out-of-range values', () => {
    expect(scalar('print unixtime_seconds_todatetime(1700000000.1234567)')).toBe(
      '2023-11-14T22:13:20.1234567Z',
    );
    expect(
      row(
        'print unixtime_seconds_todatetime(real(null)), unixtime_seconds_todatetime(real(nan)), unixtime_seconds_todatetime(1e12)',
      ),
    ).toEqual([null, null, null]);
  });
});

describe('format_datetime', () => {
  const dt = 'datetime(2024-03-05 14:07:09.0405000)';

  it('formats every documented element', () => {
    expect(scalar(`print format_datetime(${dt}, 'yyyy yy y MM M dd d HH H hh h mm m ss s tt')`)).toBe(
      '2024 24 24 03 3 05 5 14 14 02 2 07 7 09 9 PM',
    );
    // F elements drop trailing zeros; an all-zero one prints nothing.
    expect(scalar(`print format_datetime(${dt}, 'f ff fff ffff fffffff F FF FFF FFFF FFFFFFF')`)).toBe(
      '0 04 040 0405 0405000  04 04 0405 0405',
    );
  });

  it('12-hour clock at midnight and noon; y without leading zero', () => {
    expect(scalar("print format_datetime(datetime(2009-06-15 00:30), 'h:mm tt')")).toBe('12:30 AM');
    expect(scalar("print format_datetime(datetime(2009-06-15 12:30), 'hh:mm tt')")).toBe('12:30 PM');
    expect(scalar("print format_datetime(datetime(2009-06-15), 'y/yy/yyyy')")).toBe('9/09/2009');
  });

  it('an empty F element also drops the dot before it', () => {
    expect(scalar("print format_datetime(datetime(2024-01-01 10:00:00), 'HH:mm:ss.FFF')")).toBe('10:00:00');
    expect(scalar("print format_datetime(datetime(2024-01-01 10:00:00.5), 'HH:mm:ss.FFF')")).toBe(
      '10:00:00.5',
    );
  });

  it('uses the documented delimiters, returns empty text for null, and rejects unknown elements', () => {
    expect(scalar("print format_datetime(datetime(2024-01-02), '[dd/MM/yyyy]_-,.:')")).toBe(
      '[02/01/2024]_-,.:',
    );
    expect(scalar("print format_datetime(datetime(null), 'yyyy')")).toBe('');
    expect(() => kql("print format_datetime(now(), 'MMMM')")).toThrow();
  });
});

describe('format_timespan', () => {
  it('formats days, hours, minutes, seconds and fractions', () => {
    const t = "totimespan('3.04:05:06.7080000')";
    expect(scalar(`print format_timespan(${t}, 'd.hh:mm:ss.fff')`)).toBe('3.04:05:06.708');
    expect(scalar(`print format_timespan(${t}, 'ddd H h m s FFFFFFF f')`)).toBe('003 4 4 5 6 708 7');
    expect(scalar(`print format_timespan(${t}, 'dddddddd HH mm ss ff')`)).toBe('00000003 04 05 06 70');
  });

  it('days are not capped at 24 hours of the clock and null gives empty text', () => {
    expect(scalar("print format_timespan(totimespan('400.23:00:00'), 'd')")).toBe('400');
    expect(scalar("print format_timespan(timespan(null), 'd')")).toBe('');
  });
});

describe('time zones', () => {
  it('converts UTC to local time and back (standard and daylight time)', () => {
    expect(
      row(
        "print datetime_utc_to_local(datetime(2024-01-15 12:00), 'Europe/Paris'), datetime_utc_to_local(datetime(2024-07-15 12:00), 'Europe/Paris'), datetime_utc_to_local(datetime(2024-07-15 12:00), 'Asia/Kolkata')",
      ),
    ).toEqual(['2024-01-15T13:00:00Z', '2024-07-15T14:00:00Z', '2024-07-15T17:30:00Z']);
    expect(
      row(
        "print datetime_local_to_utc(datetime(2024-01-15 13:00), 'Europe/Paris'), datetime_local_to_utc(datetime(2024-07-15 14:00), 'Europe/Paris'), datetime_local_to_utc(datetime(2024-07-15 05:00), 'America/New_York')",
      ),
    ).toEqual(['2024-01-15T12:00:00Z', '2024-07-15T12:00:00Z', '2024-07-15T09:00:00Z']);
  });

  it('a skipped local time takes the daylight offset; an ambiguous one the standard offset', () => {
    // Paris skips 02:00–03:00 local on 2024-03-31 and repeats 02:00–03:00 on 2024-10-27.
    expect(
      row(
        "print datetime_local_to_utc(datetime(2024-03-31 02:30), 'Europe/Paris'), datetime_local_to_utc(datetime(2024-10-27 02:30), 'Europe/Paris')",
      ),
    ).toEqual(['2024-03-31T00:30:00Z', '2024-10-27T01:30:00Z']);
  });

  it('returns null for a null datetime and fails for an unknown zone', () => {
    expect(scalar("print datetime_utc_to_local(datetime(null), 'UTC')")).toBeNull();
    expect(() => kql("print datetime_utc_to_local(now(), 'Mars/Olympus')")).toThrow();
  });
});

describe('bin of datetimes', () => {
  it('aligns bins to 0001-01-01 (a Monday), so 7d bins start on Mondays', () => {
    expect(
      row(
        'print bin(datetime(2024-03-07 10:00), 7d), floor(datetime(1970-01-01), 7d), bin(datetime(2024-03-07 10:00), 1d)',
      ),
    ).toEqual(['2024-03-04T00:00:00Z', '1969-12-29T00:00:00Z', '2024-03-07T00:00:00Z']);
  });

  it('bin_at bins relative to its anchor, and consecutive rows reuse a bin correctly', () => {
    expect(
      row(
        'print bin_at(datetime(2024-03-07 10:00), 1d, datetime(2024-03-01 06:00)), bin_at(datetime(2024-03-07 05:00), 1d, datetime(2024-03-01 06:00))',
      ),
    ).toEqual(['2024-03-07T06:00:00Z', '2024-03-06T06:00:00Z']);
    const bins = kql(
      'range t from datetime(2024-03-01 22:00) to datetime(2024-03-02 02:00) step 1h | project b = bin(t, 1d)',
    ).rows.map((r) => r[0]);
    expect(bins).toEqual([
      '2024-03-01T00:00:00Z',
      '2024-03-01T00:00:00Z',
      '2024-03-02T00:00:00Z',
      '2024-03-02T00:00:00Z',
      '2024-03-02T00:00:00Z',
    ]);
  });

  it('keeps numeric and timespan bins and null handling', () => {
    expect(
      row('print bin(7, 2), bin(1.75, 0.5), bin(3h, 2h), bin(datetime(null), 1d), bin(now(), -1d)'),
    ).toEqual([6, 1.5, '02:00:00', null, null]);
  });
});

describe('todatetime documented text forms', () => {
  it('reads RFC 850 forms and sortable forms with a zone name', () => {
    expect(
      row(
        "print todatetime('Saturday, 08-Nov-14 15:05:02 GMT'), todatetime('08-Nov-14 15:05'), todatetime('2014-11-08 15:05:25 GMT'), todatetime('2014-11-8T15:05 GMT'), todatetime('not a date')",
      ),
    ).toEqual([
      '2014-11-08T15:05:02Z',
      '2014-11-08T15:05:00Z',
      '2014-11-08T15:05:25Z',
      '2014-11-08T15:05:00Z',
      null,
    ]);
  });
});
