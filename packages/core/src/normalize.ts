/** The nil UUID VoIPBIN writes for an unset id. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** The timestamp VoIPBIN's older responses and webhooks write for "has not happened". */
export const UNSET_TIMESTAMP = '9999-01-01 00:00:00.000000';

// `2023-03-28 12:00:05.248732` (older answers, UTC without a zone) or RFC 3339
// (`2026-01-15T09:30:00.5Z`, current answers: 0 to 9 fraction digits, `Z` or an offset).
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):?(\d{2}))?$/;
type Fields = [number, number, number, number, number];

/**
 * Reads one scalar of a VoIPBIN answer the way the project means it.
 *
 * "Not set" has three spellings across VoIPBIN versions and all become `null`: the nil UUID,
 * the empty string of an enum, the `9999-01-01 ...` timestamp sentinel, and the field left
 * out (`undefined`). Timestamps become ISO 8601 UTC strings (`...Z`), keeping the fraction
 * VoIPBIN sent, 0 to 9 digits (`2023-03-28 12:00:05.248732` -> `2023-03-28T12:00:05.248732Z`):
 * the older space-separated form is UTC; an RFC 3339 time with another offset is converted
 * (`2026-01-15T18:30:00.5+09:00` -> `2026-01-15T09:30:00.5Z`). Any other value, a time with
 * an impossible field (month 13, offset +24:00) included, comes back unchanged.
 */
export function normalize(value: unknown): unknown {
  if (value === undefined || value === null || value === '' || value === NIL_UUID) return null;
  if (typeof value !== 'string') return value;
  const timestamp = TIMESTAMP.exec(value);
  if (timestamp === null) return value;
  const [, year, month, day, hour, minute, second, fraction = '', , sign, oh, om] = timestamp;
  if (year === '9999') return null;
  const [mo, d, h, mi, sec] = [month, day, hour, minute, second].map(Number) as Fields;
  const [offsetHours, offsetMinutes] = [Number(oh ?? 0), Number(om ?? 0)];
  const valid = mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && sec <= 60;
  if (!valid || offsetHours > 23 || offsetMinutes > 59) return value;
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  const date = `${year}-${month}-${day}`;
  const time = `${hour}:${minute}:${second}`;
  if (offset === 0) return `${date}T${time}${fraction}Z`;
  // Date keeps milliseconds only: shift the whole seconds, then put VoIPBIN's fraction back.
  const utc = new Date(0);
  utc.setUTCFullYear(Number(year), mo - 1, d);
  utc.setUTCHours(h, mi - offset, sec);
  return `${utc.toISOString().slice(0, 19)}${fraction}Z`;
}
