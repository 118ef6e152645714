/** The size limits of `hygiene()`: what a document and a request may hold. */
export interface HygieneLimits {
  /** Deepest field nesting (introspection's `__schema` excluded). Default 10. */
  depth?: number;
  /** Aliases per operation (`__typename` excluded). Default 15. */
  aliases?: number;
  /** Lexical tokens per document (and comments, the same number). Default 1000. */
  tokens?: number;
  /** Directives per operation. Default 10. */
  directives?: number;
  /** graphql-armor's cost (objects 2, scalars 1, x1.5 a level, x`first:`). Default 10,000. */
  cost?: number;
  /** Operations per batched request; 1 turns batching off. Default 5. */
  batch?: number;
  /** Request body size in bytes. Default 1 MiB. */
  bodyBytes?: number;
}

/** The defaults, sized for this schema (see the tests for what they admit and refuse). */
export const DEFAULT_LIMITS: Required<HygieneLimits> = {
  depth: 10,
  aliases: 15,
  tokens: 1000,
  directives: 10,
  cost: 10_000,
  batch: 5,
  bodyBytes: 1024 * 1024,
};

/** `given` over the defaults; throws on a limit that is not a whole number >= 1. */
export function limitsOf(given: HygieneLimits = {}): Required<HygieneLimits> {
  const limits = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(given) as [
    keyof HygieneLimits,
    number | undefined,
  ][]) {
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`The ${name} limit must be a whole number >= 1, not ${value}`);
    }
    limits[name] = value;
  }
  return limits;
}
