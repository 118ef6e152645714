/**
 * reference/ holds copies of VoIPBIN's spec, quickstart and flow-manager Go files so a clone anywhere runs its tests;
 * the team keeps the originals in ../shared/reference beside the clone. Where that folder is,
 * the copies must be the same, byte for byte.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const copies = new URL('../../../reference/', import.meta.url);
const originals = new URL('../../../../shared/reference/', import.meta.url);
const FILES = [
  'voipbin-calls-openapi.yaml',
  'quickstart-call.rst',
  'voipbin-2bf22fa/LICENSE',
  'voipbin-2bf22fa/bin-api-manager/docsdev/source/quickstart_call.rst',
  'voipbin-2bf22fa/bin-flow-manager/models/action/option.go',
  'voipbin-2bf22fa/bin-flow-manager/models/action/action.go',
];

describe.skipIf(!existsSync(fileURLToPath(originals)))(
  "reference/ matches the team's ../shared/reference",
  () => {
    it.each(FILES)('%s is the same', (file) => {
      const copy = readFileSync(new URL(file, copies), 'utf8');
      expect(copy === readFileSync(new URL(file, originals), 'utf8'), `reference/${file}`).toBe(
        true,
      );
    });
  },
);
