import * as v from 'valibot';
import { actionSchema, url } from './define.ts';

export const PlayOptionSchema = v.strictObject({
  stream_urls: v.pipe(v.array(url()), v.minLength(1, 'Expected at least one stream URL')),
});

export const PlayActionSchema = actionSchema('play', PlayOptionSchema);

export type PlayAction = v.InferOutput<typeof PlayActionSchema>;
