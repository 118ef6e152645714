/**
 * The gateway's log lines: plain text (the default: `[gateway] [<request id>] message`) or one
 * JSON object a line (`GATEWAY_LOG_FORMAT=json`: time, level, requestId, message and, for the
 * line a request ends with, its operation, caller hash, duration, status and code). The format
 * is the process's (`setLogFormat`, from the entry's configuration): every module writes
 * through `log`, so no line comes out in the other format. A line never holds a credential, a
 * phone number or a talk text: callers put names and codes in it, never values.
 */
export type LogFormat = 'text' | 'json';
export type LogLevel = 'info' | 'warn' | 'error';

/** What a line may say beside its message. */
export interface LogFields {
  requestId?: string;
  /** The GraphQL operation's name, or its type when it has none. */
  operation?: string;
  /** A hash of who called (never the caller's key itself). */
  caller?: string;
  durationMs?: number;
  /** The response's HTTP status. */
  status?: number;
  /** `OK`, or the first error's `extensions.code`. */
  code?: string;
}

const WRITE: Record<LogLevel, (line: string) => void> = {
  info: (line) => console.info(line),
  warn: (line) => console.warn(line),
  error: (line) => console.error(line),
};

/**
 * A caller's operation name as a line or a span may show it: none when it is long or holds a
 * run of five digits (a phone number, an id), which a caller may well put there.
 */
export const safeOperationName = (name: string | undefined): string | undefined =>
  name && name.length <= 64 && !/\d{5}/.test(name) ? name : undefined;

let format: LogFormat = 'text';

/** Sets the format of every line from now on (the process's: the entries set it once). */
export function setLogFormat(next: LogFormat): void {
  format = next;
}

export const log = {
  get format(): LogFormat {
    return format;
  },
  /** Writes one line; `message` as it is (the text format adds `[gateway]` and the id). */
  line(level: LogLevel, message: string, fields: LogFields = {}): void {
    const text = message.replace(/^\[gateway\] /, '');
    if (format === 'json') {
      WRITE[level](
        JSON.stringify({ time: new Date().toISOString(), level, ...fields, message: text }),
      );
      return;
    }
    WRITE[level](`[gateway] ${fields.requestId ? `[${fields.requestId}] ` : ''}${text}`);
  },
  /**
   * An entry's own line (where it listens, what it runs on, a warning at startup): in the text
   * format as it is, for a person reading a terminal; in the JSON format a line like any other.
   */
  say(level: LogLevel, message: string): void {
    if (format === 'json') log.line(level, message);
    else if (level === 'info') console.log(message);
    else WRITE[level](message);
  },
};
