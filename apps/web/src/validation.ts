import { useEffect, useState } from 'react';
import { useClient } from 'urql';
import { ValidateCall } from './documents.ts';
import { fieldOfPath } from './errors.ts';
import {
  type FieldErrors,
  type FormValues,
  firstInvalid,
  toCreateCallInput,
  validateForm,
} from './form.ts';

/** The quiet time after the last keystroke before the gateway is asked: at most one request per. */
export const VALIDATE_DEBOUNCE_MS = 300;

export interface LiveValidation {
  /** A message per field: the browser's own checks, then the gateway's (policy included). */
  fields: FieldErrors;
  /** Problems the gateway found that name no field of the form, as `path: message`. */
  other: string[];
  /** A validateCall request is waiting or running. */
  checking: boolean;
}

const NONE: LiveValidation = { fields: {}, other: [], checking: false };

/**
 * Checks the form as the user types: the browser's checks at once, then, 300 ms after the last
 * change and only for an input the browser finds valid, the gateway's `validateCall` (the same
 * checks as createCall, this gateway's policy included; nothing is placed or stored). An answer
 * to an older input is dropped; a failed check says nothing (createCall will answer for it).
 * `enabled` false (a call is running) asks nothing.
 */
export function useLiveValidation(values: FormValues, enabled: boolean): LiveValidation {
  const client = useClient();
  const [result, setResult] = useState<LiveValidation>(NONE);
  const key = JSON.stringify(values);

  useEffect(() => {
    if (!enabled) return;
    const local = validateForm(JSON.parse(key) as FormValues);
    if (firstInvalid(local)) {
      setResult({ fields: local, other: [], checking: false });
      return;
    }
    setResult((shown) => ({ ...shown, checking: true }));
    let current = true;
    const timer = setTimeout(async () => {
      const input = toCreateCallInput(JSON.parse(key) as FormValues);
      const answer = await client
        .query(ValidateCall, { input }, { requestPolicy: 'network-only' })
        .toPromise();
      if (!current) return;
      const problems = answer.data?.validateCall.problems ?? [];
      const fields: FieldErrors = {};
      const other: string[] = [];
      for (const problem of problems) {
        const field = fieldOfPath(problem.path);
        if (field === undefined) other.push(`${problem.path}: ${problem.message}`);
        else fields[field] = fields[field] ?? problem.message;
      }
      setResult({ fields, other, checking: false });
    }, VALIDATE_DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, key, enabled]);

  return enabled ? result : NONE;
}
