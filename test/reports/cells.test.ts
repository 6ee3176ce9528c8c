import { describe, expect, it } from 'vitest';
import {
  displayCell,
  displayValue,
  formatDatetime,
  formatDuration,
  formatTimespan,
  isDayColumn,
  stringListItems,
} from '../../src/reports/cells.js';

describe('datetimes', () => {
  it('show to the second, the fraction cut off rather than rounded', () => {
    expect(formatDatetime('2026-11-27T22:24:36.0957469Z')).toBe('2026-11-27 22:24:36Z');
    expect(formatDatetime('2026-12-31T23:59:59.9999999Z')).toBe('2026-12-31 23:59:59Z');
    expect(formatDatetime('2026-11-27T22:24:36Z')).toBe('2026-11-27 22:24:36Z');
    expect(displayCell('2026-11-27T10:07:00.1230000Z', 'datetime')).toBe('2026-11-27 10:07:00Z');
    expect(displayValue('2026-11-27T10:07:00.1230000Z')).toBe('2026-11-27 10:07:00Z');
  });

  it('leave text that is not a UTC datetime as it is', () => {
    expect(formatDatetime('yesterday')).toBe('yesterday');
    expect(formatDatetime('2026-11-27T10:07:00+02:00')).toBe('2026-11-27T10:07:00+02:00');
  });

  it('drop the time of day bins when asked', () => {
    const days = ['2026-11-01T00:00:00Z', '2026-11-02T00:00:00.0000000Z', null];
    expect(isDayColumn(days)).toBe(true);
    expect(isDayColumn(['2026-11-01T00:00:00Z', '2026-11-01T00:00:00.0000001Z'])).toBe(false);
    expect(isDayColumn([null])).toBe(false);
    expect(displayCell(days[1], 'datetime', { dateOnly: true })).toBe('2026-11-02');
    expect(displayCell('2026-11-02T06:00:00Z', 'datetime', { dateOnly: true })).toBe('2026-11-02 06:00:00Z');
  });
});

describe('timespans', () => {
  it('read as durations in their two largest units', () => {
    expect(formatTimespan('3.22:53:59.1234567')).toBe('3d 22h');
    expect(formatTimespan('2.00:00:00')).toBe('2d');
    expect(formatTimespan('05:12:40')).toBe('5h 12m');
    expect(formatTimespan('01:00:30')).toBe('1h');
    expect(formatTimespan('00:04:05.5')).toBe('4m 6s');
    expect(formatTimespan('00:01:00')).toBe('1m');
    expect(formatTimespan('00:00:16.5933431')).toBe('16.6s');
    expect(formatTimespan('00:00:01.5000000')).toBe('1.5s');
    expect(formatTimespan('00:00:00.2500000')).toBe('250ms');
    expect(formatTimespan('00:00:00.0004000')).toBe('0.4ms');
    expect(formatTimespan('00:00:00')).toBe('0s');
    expect(formatTimespan('-00:00:05')).toBe('-5s');
    expect(formatTimespan('-1.02:03:04')).toBe('-1d 2h');
  });

  it('round below a minute without writing 60 of a unit', () => {
    expect(formatDuration(59.96)).toBe('1m');
    expect(formatDuration(0.9996)).toBe('1s');
    expect(formatDuration(3599.6)).toBe('1h');
  });

  it('are formatted in table cells and left alone when they are not timespans', () => {
    expect(displayCell('1.02:03:04', 'timespan')).toBe('1d 2h');
    expect(displayCell('soon', 'timespan')).toBe('soon');
  });
});

describe('dynamic cells', () => {
  it('show an array of strings as a list', () => {
    expect(displayCell('["Box","Dropbox Business"]', 'dynamic')).toBe('Box, Dropbox Business');
    expect(displayCell('[ "<b>x</b>" ]', 'dynamic')).toBe('<b>x</b>');
    expect(stringListItems('["a","b"]')).toEqual(['a', 'b']);
  });

  it('show everything else as compact JSON', () => {
    expect(displayCell('[]', 'dynamic')).toBe('[]');
    expect(displayCell('["a", 1]', 'dynamic')).toBe('["a",1]');
    expect(displayCell('{"a": ["b"]}', 'dynamic')).toBe('{"a":["b"]}');
    expect(displayCell('"text"', 'dynamic')).toBe('"text"');
    expect(displayCell('[not json', 'dynamic')).toBe('[not json');
    expect(stringListItems('{"a":1}')).toBeNull();
  });
});
