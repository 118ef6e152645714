import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The quickstart this project starts from, read from the repo's reference/. */
export const QUICKSTART_PATH = fileURLToPath(
  new URL('../../../../reference/quickstart-call.rst', import.meta.url),
);

export const SOURCE_NUMBER = '+821028286521';
export const DESTINATION_NUMBER = '+821021656521';

export interface QuickstartExample {
  title: string;
  url: URL;
  /** The request body, placeholders filled with the numbers the quickstart's own answer shows. */
  request: Record<string, unknown>;
  /** The answer the quickstart shows (the 2023 bare array). */
  response: unknown[];
}

/**
 * The quickstart's two curl requests and their answers. Its bodies are not strict JSON
 * (the second has a trailing comma) and hold placeholders (`+82XXXXXXXX`,
 * `<your source number>`): a reader fills them in, and so do we.
 */
export function quickstartExamples(): QuickstartExample[] {
  const text = readFileSync(QUICKSTART_PATH, 'utf8');
  const sections = text.split(/\n(?=Make your first voice call)/).slice(1);
  return sections.map((section) => {
    const title = section.split('\n')[0] ?? '';
    const url = /curl [^']*'([^']+)'/.exec(section)?.[1];
    const body = /--data-raw '([\s\S]*?)'\n/.exec(section)?.[1];
    const answer = /\n {4}(\[[\s\S]*\])\s*$/.exec(section)?.[1];
    if (!url || !body || !answer) throw new Error(`quickstart section not understood: ${title}`);
    let placeholders = 0;
    const filled = body
      .replace(/"\+82X+"|"<your (?:source|destination) number>"/g, () =>
        JSON.stringify(placeholders++ === 0 ? SOURCE_NUMBER : DESTINATION_NUMBER),
      )
      .replace(/,(\s*[}\]])/g, '$1');
    return { title, url: new URL(url), request: JSON.parse(filled), response: JSON.parse(answer) };
  });
}

/** VoIPBIN's current call quickstart (2bf22fa), read from the repo's reference/. */
export const CURRENT_QUICKSTART_PATH = fileURLToPath(
  new URL(
    '../../../../reference/voipbin-2bf22fa/bin-api-manager/docsdev/source/quickstart_call.rst',
    import.meta.url,
  ),
);

export interface CurrentQuickstart {
  url: URL;
  /** The request body, `<your-source-number>` filled with `SOURCE_NUMBER`. */
  request: Record<string, unknown>;
  /** The answer the quickstart shows, its `...` (more fields) line taken out. */
  response: { calls: unknown[]; groupcalls: Record<string, unknown>[] };
}

/**
 * The current quickstart's one curl request (an `extension` destination by `target_name`) and
 * its answer (a `groupcalls` entry, `calls` empty). The answer's `...` stands for fields left
 * out of the page: removed, with the comma before it.
 */
export function currentQuickstart(): CurrentQuickstart {
  const text = readFileSync(CURRENT_QUICKSTART_PATH, 'utf8');
  const url = /curl --request POST '([^']+)'/.exec(text)?.[1];
  const body = /--data-raw '([\s\S]*?)'\n/.exec(text)?.[1];
  const answer = /to ring the extension\):\n\n\.\. code::\n\n(\s+\{[\s\S]*?\n {4}\})\n/.exec(
    text,
  )?.[1];
  if (!url || !body || !answer) throw new Error('current quickstart not understood');
  const request = JSON.parse(body.replaceAll('<your-source-number>', SOURCE_NUMBER));
  const response = JSON.parse(
    answer.replaceAll('<your-source-number>', SOURCE_NUMBER).replace(/,\s*\.\.\.\s*/g, ''),
  );
  return { url: new URL(url.replace('<your-token>', 'your-token')), request, response };
}
