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
  return { path, message: issue.message };
}
