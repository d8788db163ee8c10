/**
 * The app's access log, byte for byte what nginx writes with
 * `log_format combined '$remote_addr - $remote_user [$time_local] "$request" $status
 * $body_bytes_sent "$http_referer" "$http_user_agent"'` (nginx's predefined format), one line per
 * request, appended with O_APPEND and one write per line so a tailer never sees half a line.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AccessLogFormat } from '../options.js';

export interface AccessLogEntry {
  remoteAddr: string;
  remoteUser?: string;
  time: Date;
  /** The request line as received: `GET /path HTTP/1.1`. */
  request: string;
  status: number;
  bodyBytesSent: number;
  referer?: string;
  userAgent?: string;
  /** Seconds from the first byte of the request to the end of the response. */
  requestTimeSeconds: number;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** nginx's `$time_local`: `21/Nov/2026:02:00:00 +0800`, in the process's time zone. */
export function formatTimeLocal(time: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const offset = -time.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${pad(time.getDate())}/${months[time.getMonth()]}/${time.getFullYear()}:` +
    `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/**
 * nginx's default log escaping: `"`, `\`, control characters and bytes above 0x7e become `\xHH`;
 * an empty or missing value is written as `-`.
 */
export function escapeLogValue(value: string | undefined): string {
  if (value === undefined || value === '') return '-';
  let out = '';
  for (const byte of Buffer.from(value, 'latin1')) {
    out +=
      byte === 0x22 || byte === 0x5c || byte < 0x20 || byte > 0x7e
        ? `\\x${byte.toString(16).toUpperCase().padStart(2, '0')}`
        : String.fromCharCode(byte);
  }
  return out;
}

export function formatAccessLogLine(entry: AccessLogEntry, format: AccessLogFormat): string {
  const line =
    `${entry.remoteAddr} - ${escapeLogValue(entry.remoteUser)} [${formatTimeLocal(entry.time)}] ` +
    `"${escapeLogValue(entry.request)}" ${entry.status} ${entry.bodyBytesSent} ` +
    `"${escapeLogValue(entry.referer)}" "${escapeLogValue(entry.userAgent)}"`;
  return format === 'combined_request_time'
    ? `${line} ${entry.requestTimeSeconds.toFixed(3)}\n`
    : `${line}\n`;
}

/** An open access log file. Like nginx, it keeps its descriptor while the app runs. */
export class AccessLogWriter {
  private fd: number | undefined;

  constructor(
    readonly file: string,
    private readonly format: AccessLogFormat,
  ) {}

  open(): void {
    if (this.fd !== undefined) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    this.fd = fs.openSync(this.file, 'a');
  }

  /** Appends one line; a no-op once closed (the app is gone, as nginx would be). */
  write(entry: AccessLogEntry): void {
    if (this.fd === undefined) return;
    fs.writeSync(this.fd, formatAccessLogLine(entry, this.format));
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
