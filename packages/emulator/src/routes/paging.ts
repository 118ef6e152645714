/** Paging as am server/calls.go `GetCalls`: `page_size` and `page_token`. */
import { errors } from '../errors.ts';

export function pageSize(url: URL): number {
  const text = url.searchParams.get('page_size');
  if (text === null) return 100;
  // oapi-codegen binds an `int` with strconv: an optional sign and digits.
  if (!/^[+-]?\d+$/.test(text)) throw errors.invalidRequestParameter('page_size');
  const size = Number(text);
  return size <= 0 || size > 100 ? 100 : size;
}

/** A page token VoIPBIN gave (`2006-01-02T15:04:05.000000Z`), as µs; an unknown one matches nothing. */
export function parseToken(token: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})(\d{3})Z$/.exec(token);
  if (!match) return Number.NEGATIVE_INFINITY;
  return Date.parse(`${match[1]}Z`) * 1000 + Number(match[2]);
}
