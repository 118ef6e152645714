/**
 * The gateway's tracing settings, read from OpenTelemetry's own environment variables
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/): traces
 * are exported over OTLP/HTTP (protobuf, or JSON) when an endpoint is set, and off when none is.
 *
 *   OTEL_EXPORTER_OTLP_ENDPOINT          the collector's base URL; spans go to `<it>/v1/traces`
 *   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT   the traces URL itself (wins over the one above)
 *   OTEL_EXPORTER_OTLP_HEADERS           `key=value,...` sent with each export (…_TRACES_HEADERS too)
 *   OTEL_EXPORTER_OTLP_PROTOCOL          http/protobuf (the default) or http/json (…_TRACES_PROTOCOL too)
 *   OTEL_EXPORTER_OTLP_TIMEOUT           ms an export may take (default 10000)
 *   OTEL_SERVICE_NAME                    default `voipbin-kit-gateway`
 *   OTEL_RESOURCE_ATTRIBUTES             `key=value,...` on every span's resource
 *   OTEL_TRACES_SAMPLER(_ARG)            always_on, always_off, traceidratio, parentbased_* (default parentbased_always_on)
 *   OTEL_SDK_DISABLED=true, OTEL_TRACES_EXPORTER=none   tracing off
 *
 * A Worker reads them from its bindings ([vars] and secrets), the others from their environment.
 */

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

export interface TracingConfig {
  /** Where spans are POSTed (OTLP/HTTP). */
  url: string;
  /** How they are encoded: OTLP's protobuf (the spec's default), or its JSON. */
  protocol: 'http/protobuf' | 'http/json';
  /** Sent with each export: a collector's credential may be among them, so never logged. */
  headers: Record<string, string>;
  timeoutMs: number;
  serviceName: string;
  resource: Record<string, string>;
  sampler: SamplerName;
  /** The ratio of `traceidratio` samplers, 0 to 1. */
  ratio: number;
}

const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

const invalid = (name: string, why: string) =>
  new Error(`Invalid tracing configuration: ${name}: ${why}`);

/** `key=value,key2=value2` (each part percent-decoded), as OTEL_*_HEADERS and _ATTRIBUTES are. */
function pairs(name: string, value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (value ?? '').split(',')) {
    if (part.trim() === '') continue;
    const at = part.indexOf('=');
    // The value is never quoted back: a header may hold the collector's credential.
    if (at <= 0) throw invalid(name, 'expected key=value pairs, separated by commas');
    try {
      out[decodeURIComponent(part.slice(0, at).trim())] = decodeURIComponent(
        part.slice(at + 1).trim(),
      );
    } catch {
      throw invalid(name, 'a key or value is not valid percent-encoding');
    }
  }
  return out;
}

/** An http(s) URL, without the user, password or query it may carry in the message. */
function httpUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(name, 'expected an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid(name, `expected an http:// or https:// URL, not ${url.protocol}`);
  // fetch refuses a URL with credentials: a collector's key goes in OTEL_EXPORTER_OTLP_HEADERS.
  if (url.username || url.password)
    throw invalid(
      name,
      "a user or password in the URL is not sent: put the collector's key in OTEL_EXPORTER_OTLP_HEADERS",
    );
  if (url.search || url.hash) throw invalid(name, 'expected a URL without a query or fragment');
  return url;
}

const set = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/** The tracing settings, or undefined when traces are off (no endpoint, or disabled). */
export function readTracingEnv(env: Record<string, string | undefined>): TracingConfig | undefined {
  if (/^true$/i.test(set(env.OTEL_SDK_DISABLED) ?? '')) return undefined;
  const exporter = set(env.OTEL_TRACES_EXPORTER);
  if (exporter === 'none') return undefined;
  if (exporter !== undefined && exporter !== 'otlp')
    throw invalid('OTEL_TRACES_EXPORTER', `expected otlp or none, not ${exporter}`);
  const traces = set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const base = set(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (!traces && !base) return undefined;
  // The traces endpoint is used as it is; the base one gets the signal's path (the spec's rule).
  const url = traces
    ? httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', traces)
    : new URL(
        `${httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', base as string).href.replace(/\/+$/, '')}/v1/traces`,
      );
  let protocol: TracingConfig['protocol'] = 'http/protobuf';
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const given = set(env[name]);
    if (given === undefined) continue;
    if (given !== 'http/protobuf' && given !== 'http/json')
      throw invalid(
        name,
        `this gateway exports OTLP over HTTP on every runtime: set http/protobuf (the default) or http/json, not ${given}`,
      );
    protocol = given;
    break;
  }
  const timeoutName = set(env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT)
    ? 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'
    : 'OTEL_EXPORTER_OTLP_TIMEOUT';
  const timeout = set(env[timeoutName]);
  if (timeout !== undefined && !(/^\d{1,7}$/.test(timeout) && Number(timeout) > 0))
    throw invalid(timeoutName, 'expected a number of milliseconds, above 0');
  const sampler = (set(env.OTEL_TRACES_SAMPLER) ?? 'parentbased_always_on') as SamplerName;
  if (!SAMPLERS.includes(sampler))
    throw invalid('OTEL_TRACES_SAMPLER', `expected one of ${SAMPLERS.join(', ')}`);
  const arg = set(env.OTEL_TRACES_SAMPLER_ARG);
  const ratio = arg === undefined ? 1 : Number(arg);
  if (!(ratio >= 0 && ratio <= 1))
    throw invalid('OTEL_TRACES_SAMPLER_ARG', 'expected a ratio from 0 to 1');
  const resource = pairs('OTEL_RESOURCE_ATTRIBUTES', env.OTEL_RESOURCE_ATTRIBUTES);
  return {
    url: url.href,
    protocol,
    headers: {
      ...pairs('OTEL_EXPORTER_OTLP_HEADERS', env.OTEL_EXPORTER_OTLP_HEADERS),
      ...pairs('OTEL_EXPORTER_OTLP_TRACES_HEADERS', env.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
    },
    timeoutMs: timeout === undefined ? 10_000 : Number(timeout),
    serviceName: set(env.OTEL_SERVICE_NAME) ?? resource['service.name'] ?? 'voipbin-kit-gateway',
    resource,
    sampler,
    ratio,
  };
}

/** Where spans go, for a startup line: the origin and path only (no user, password or query). */
export function describeTracing(config: TracingConfig): string {
  const url = new URL(config.url);
  return `${url.origin}${url.pathname} (OTLP ${config.protocol})`;
}
