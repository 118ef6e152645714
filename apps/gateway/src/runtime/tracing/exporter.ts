/**
 * OTLP/HTTP (protobuf or JSON), sent with `fetch`: the one span exporter of every runtime.
 * OpenTelemetry's own OTLPTraceExporter picks a transport by platform, and its browser one sets
 * `mode` and `keepalive`, which workerd refuses (opentelemetry-js #4631); its Node one is
 * node:http. The encoding is the SDK's (`ProtobufTraceSerializer`, `JsonTraceSerializer`); only
 * the POST is ours.
 */
import { diag } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

export interface FetchExporterOptions {
  url: string;
  protocol: 'http/protobuf' | 'http/json';
  headers: Record<string, string>;
  timeoutMs: number;
  /** Defaults to the global fetch, looked up per export. */
  fetch?: typeof globalThis.fetch;
  /** Told each failed export's reason (a status or an error's class: no URL, no header). */
  onFailure?: (reason: string) => void;
}

export class OtlpFetchExporter implements SpanExporter {
  readonly #options: FetchExporterOptions;
  readonly #pending = new Set<Promise<unknown>>();
  #down = false;

  constructor(options: FetchExporterOptions) {
    this.#options = options;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.#down) {
      done({ code: ExportResultCode.FAILED, error: new Error('the exporter is shut down') });
      return;
    }
    const json = this.#options.protocol === 'http/json';
    const body = (json ? JsonTraceSerializer : ProtobufTraceSerializer).serializeRequest(spans);
    if (!body) {
      done({ code: ExportResultCode.SUCCESS });
      return;
    }
    const sent = this.#send(body, json ? 'application/json' : 'application/x-protobuf').then(
      (result) => {
        if (result.error) this.#options.onFailure?.(result.error.message);
        done(result);
      },
    );
    this.#pending.add(sent);
    void sent.finally(() => this.#pending.delete(sent));
  }

  async #send(body: Uint8Array, type: string): Promise<ExportResult> {
    const { url, headers, timeoutMs } = this.#options;
    const fetch = this.#options.fetch ?? globalThis.fetch;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': type },
        body: body as BodyInit,
        signal: controller.signal,
      });
      // Read to the end, so the connection is free for the next export.
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { code: ExportResultCode.SUCCESS };
      // The status only: the collector's URL and headers stay out of every message.
      return {
        code: ExportResultCode.FAILED,
        error: new Error(`the collector answered HTTP ${response.status}`),
      };
    } catch (error) {
      diag.debug('OTLP export failed', (error as Error).name);
      return {
        code: ExportResultCode.FAILED,
        error: new Error(
          controller.signal.aborted
            ? `no answer from the collector within ${timeoutMs} ms`
            : `the collector could not be reached (${(error as Error).name})`,
        ),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once every export under way has been answered. */
  async forceFlush(): Promise<void> {
    await Promise.all(this.#pending);
  }

  async shutdown(): Promise<void> {
    this.#down = true;
    await this.forceFlush();
  }
}
