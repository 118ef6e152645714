/**
 * The two curl requests of VoIPBIN's call quickstart, read from the .rst itself (the repo's
 * reference/), so a test sends them as a reader would.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const QUICKSTART_PATH = fileURLToPath(
  new URL('../../../../reference/quickstart-call.rst', import.meta.url),
);

export interface QuickstartRequest {
  title: string;
  /** The `--request` method. */
  method: string;
  /** The URL as written, e.g. `https://api.voipbin.net/v1.0/calls?token=your-voipbin-token`. */
  url: URL;
  /** The `--header` lines as name -> value. */
  headers: Record<string, string>;
  /**
   * The `--data-raw` body as written (not necessarily strict JSON: the second one has a trailing
   * comma), its placeholders filled with the numbers of the quickstart's own answer.
   */
  body: string;
  /** The numbers filled in. */
  source: string;
  destination: string;
  /** The answer the quickstart shows (the 2023 bare array). */
  answer: Record<string, unknown>[];
}

export function quickstartRequests(): QuickstartRequest[] {
  const text = readFileSync(QUICKSTART_PATH, 'utf8');
  const sections = text.split(/\n(?=Make your first voice call)/).slice(1);
  return sections.map((section) => {
    const title = section.split('\n')[0] ?? '';
    const method = /--request (\w+)/.exec(section)?.[1];
    const url = /curl [^']*'([^']+)'/.exec(section)?.[1];
    const headers = Object.fromEntries(
      [...section.matchAll(/--header '([^:']+):\s*([^']*)'/g)].map((m) => [m[1], m[2]]),
    );
    const raw = /--data-raw '([\s\S]*?)'\n/.exec(section)?.[1];
    const answerText = /\n {4}(\[[\s\S]*\])\s*$/.exec(section)?.[1];
    if (!method || !url || !raw || !answerText) {
      throw new Error(`quickstart section not understood: ${title}`);
    }
    const answer = JSON.parse(answerText) as Record<string, unknown>[];
    const first = answer[0] as { source: { target: string }; destination: { target: string } };
    const source = first.source.target;
    const destination = first.destination.target;
    let placeholders = 0;
    const body = raw.replace(/"\+82X+"|"<your (?:source|destination) number>"/g, () =>
      JSON.stringify(placeholders++ === 0 ? source : destination),
    );
    if (placeholders !== 2) throw new Error(`expected 2 placeholders in: ${title}`);
    return { title, method, url: new URL(url), headers, body, source, destination, answer };
  });
}

export const CURRENT_QUICKSTART_PATH = fileURLToPath(
  new URL(
    '../../../../reference/voipbin-2bf22fa/bin-api-manager/docsdev/source/quickstart_call.rst',
    import.meta.url,
  ),
);

/**
 * The curl request of VoIPBIN's current call quickstart (bin-api-manager/docsdev, at 2bf22fa),
 * `<your-source-number>` filled in, and the groupcall its answer shows (without its `...`).
 */
export function currentQuickstart(): {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
  answer: Record<string, unknown>;
} {
  const text = readFileSync(CURRENT_QUICKSTART_PATH, 'utf8');
  const method = /--request (\w+)/.exec(text)?.[1];
  const url = /curl --request \w+ '([^']+)'/.exec(text)?.[1];
  const headers = Object.fromEntries(
    [...text.matchAll(/--header '([^:']+):\s*([^']*)'/g)].map((m) => [m[1], m[2]]),
  );
  const raw = /--data-raw '([\s\S]*?)'\n/.exec(text)?.[1];
  const shown = /"groupcalls": \[\s*(\{[\s\S]*?)\.\.\.\s*\}\s*\]/.exec(text)?.[1];
  if (!method || !url || !raw || !shown) throw new Error('quickstart_call.rst not understood');
  const source = '+15551234567';
  const body = raw.replaceAll('<your-source-number>', source);
  const answer = JSON.parse(
    `${shown.replace(/,\s*$/, '')}}`.replaceAll('<your-source-number>', source),
  ) as Record<string, unknown>;
  // The ids the quickstart shows are its own; the emulator makes its own.
  delete answer.id;
  delete answer.customer_id;
  delete answer.call_ids;
  return { method, url: new URL(url), headers, body, answer };
}
