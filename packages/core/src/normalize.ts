/** The nil UUID VoIPBIN writes for an unset id. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** The timestamp VoIPBIN's older responses and webhooks write for "has not happened". */
export const UNSET_TIMESTAMP = '9999-01-01 00:00:00.000000';

// `2023-03-28 12:00:05.248732` (older answers, UTC without a zone) or
// `2026-01-15T09:30:00.000000Z` (current answers).
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|[+-]00:?00)?$/;

/**
 * Reads one scalar of a VoIPBIN answer the way the project means it.
 *
 * "Not set" has three spellings across VoIPBIN versions and all become `null`: the nil UUID,
 * the empty string of an enum, the `9999-01-01 ...` timestamp sentinel, and the field left
 * out (`undefined`). Both timestamp formats become ISO 8601 UTC strings, keeping the
 * fraction VoIPBIN sent (`2023-03-28 12:00:05.248732` -> `2023-03-28T12:00:05.248732Z`).
 * Any other value comes back unchanged.
 */
export function normalize(value: unknown): unknown {
  if (value === undefined || value === null || value === '' || value === NIL_UUID) return null;
  if (typeof value !== 'string') return value;
  const timestamp = TIMESTAMP.exec(value);
  if (timestamp === null) return value;
  const [, date, time, fraction = ''] = timestamp;
  if (date?.startsWith('9999-')) return null;
  return `${date}T${time}${fraction}Z`;
}
