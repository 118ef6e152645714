import * as v from 'valibot';
import type { ValidationIssue } from './errors.ts';

/** Runs `schema` and returns its output, or the issues with dotted paths (`destinations.0.target`). */
export function check<TSchema extends v.GenericSchema>(
  schema: TSchema,
  input: unknown,
):
  | { success: true; output: v.InferOutput<TSchema> }
  | { success: false; issues: ValidationIssue[] } {
  const result = v.safeParse(schema, input);
  if (result.success) return { success: true, output: result.output };
  return { success: false, issues: result.issues.map(toIssue) };
}

function toIssue(issue: v.BaseIssue<unknown>): ValidationIssue {
  const path = v.getDotPath(issue) ?? '';
  // valibot words a missing or unknown key as "Invalid key: Expected ..."; say it plainly.
  if (issue.kind === 'schema' && issue.type.endsWith('object') && issue.expected !== 'Object') {
    if (issue.expected === 'never') return { path, message: 'Unknown field; check its spelling' };
    if (issue.received === 'undefined') return { path, message: 'Required' };
  }
  return { path, message: withoutValue(issue) };
}

/**
 * valibot's own messages end with the value they refused ("but received "+8210...""): a string
 * or a number may be a phone number or a talk text, so only its kind is said. Counts (a length
 * "received 300") and other kinds (true, null, Array) are kept.
 */
function withoutValue(issue: v.BaseIssue<unknown>): string {
  const { input, received, message } = issue;
  const quoted =
    (typeof input === 'string' && received === `"${input}"`) ||
    ((typeof input === 'number' || typeof input === 'bigint') && received === `${input}`);
  if (!quoted || !message.endsWith(`eceived ${received}`)) return message;
  const kind = typeof input === 'string' ? 'a string' : 'a number';
  return `${message.slice(0, message.length - received.length)}${kind}`;
}
