import * as v from 'valibot';

const flag = v.pipe(
  v.optional(v.picklist(['true', 'false', '1', '0', '']), 'false'),
  v.transform((value) => value === 'true' || value === '1'),
);
const text = v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty()));

/** Every setting the gateway reads, from `process.env`, Deno.env or a Worker's bindings. */
const EnvSchema = v.object({
  /** The port of the Node/Bun/Deno entries. */
  PORT: v.pipe(
    v.optional(v.string(), '4000'),
    v.transform(Number),
    v.integer('PORT must be a whole number'),
    v.minValue(0),
    v.maxValue(65535),
  ),
  /** A VoIPBIN access key: the gateway then calls VoIPBIN instead of the emulator. */
  VOIPBIN_ACCESS_KEY: text,
  /** A VoIPBIN JWT, instead of an access key. */
  VOIPBIN_TOKEN: text,
  /** VoIPBIN's API root (default https://api.voipbin.net/v1.0). */
  VOIPBIN_BASE_URL: v.optional(v.pipe(v.string(), v.url('VOIPBIN_BASE_URL must be a URL'))),
  /** Use a caller's `Authorization: Bearer <VoIPBIN token>` for its requests. */
  VOIPBIN_TOKEN_PASSTHROUGH: flag,
  /** How much faster than real time the embedded emulator runs calls. */
  EMULATOR_SPEED: v.pipe(
    v.optional(v.string(), '1'),
    v.transform(Number),
    v.number(),
    v.minValue(0.001, 'EMULATOR_SPEED must be > 0'),
  ),
  /** `production` turns GraphiQL off. */
  NODE_ENV: v.optional(v.string(), 'development'),
});

export type Upstream =
  | { kind: 'emulator'; speed: number }
  | { kind: 'voipbin'; baseURL: string; accessKey?: string; token?: string };

export interface GatewayEnv {
  port: number;
  upstream: Upstream;
  passThrough: boolean;
  production: boolean;
}

/** Reads and checks the configuration; the only place that looks at the environment. */
export function readEnv(env: Record<string, string | undefined>): GatewayEnv {
  const result = v.safeParse(EnvSchema, env);
  if (!result.success) {
    const problems = result.issues.map((issue) => `${v.getDotPath(issue) ?? ''}: ${issue.message}`);
    throw new Error(`Invalid gateway configuration: ${problems.join('; ')}`);
  }
  const e = result.output;
  const upstream: Upstream =
    e.VOIPBIN_ACCESS_KEY || e.VOIPBIN_TOKEN
      ? {
          kind: 'voipbin',
          baseURL: e.VOIPBIN_BASE_URL ?? 'https://api.voipbin.net/v1.0',
          ...(e.VOIPBIN_ACCESS_KEY ? { accessKey: e.VOIPBIN_ACCESS_KEY } : {}),
          ...(e.VOIPBIN_TOKEN ? { token: e.VOIPBIN_TOKEN } : {}),
        }
      : { kind: 'emulator', speed: e.EMULATOR_SPEED };
  return {
    port: e.PORT,
    upstream,
    passThrough: e.VOIPBIN_TOKEN_PASSTHROUGH,
    production: e.NODE_ENV === 'production',
  };
}
