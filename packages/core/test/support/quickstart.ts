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
