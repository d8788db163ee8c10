/**
 * Reading an answer of Prometheus's `/api/v1/query`: the envelope
 * `{"status":"success","data":{"resultType":…,"result":…}}` or
 * `{"status":"error","errorType":…,"error":…}`. Only series (an instant vector, or a range
 * vector's series) can name what blocks; a scalar or a string cannot, so it is an error here and
 * the gate fails closed. Each error completes the sentence "Prometheus answered …".
 */

export type PrometheusAnswer =
  | { ok: true; series: Array<Record<string, string>> }
  | { ok: false; error: string };

export function readPrometheusAnswer(httpStatus: number, body: string): PrometheusAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {
      ok: false,
      error: `HTTP ${httpStatus} with a body that is not JSON: ${excerpt(body)}`,
    };
  }
  if (!isRecord(parsed) || typeof parsed.status !== 'string') {
    return { ok: false, error: `HTTP ${httpStatus} without a Prometheus API envelope` };
  }
  if (parsed.status !== 'success') {
    const type = typeof parsed.errorType === 'string' ? `${parsed.errorType}: ` : '';
    const message = typeof parsed.error === 'string' ? parsed.error : 'no error message';
    return { ok: false, error: `HTTP ${httpStatus}, Prometheus says ${type}${message}` };
  }
  if (httpStatus < 200 || httpStatus > 299) {
    return { ok: false, error: `HTTP ${httpStatus} though the body says success` };
  }
  const data = parsed.data;
  if (!isRecord(data) || !Array.isArray(data.result)) {
    return { ok: false, error: 'success without data.result' };
  }
  if (data.resultType !== 'vector' && data.resultType !== 'matrix') {
    return {
      ok: false,
      error: `a ${String(data.resultType)}, not series: write a query that returns the alerts (or series) that block`,
    };
  }
  const series: Array<Record<string, string>> = [];
  for (const item of data.result) {
    if (!isRecord(item) || !isRecord(item.metric)) {
      return { ok: false, error: 'a series without its labels (metric)' };
    }
    series.push(
      Object.fromEntries(
        Object.entries(item.metric).filter((e): e is [string, string] => typeof e[1] === 'string'),
      ),
    );
  }
  return { ok: true, series };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function excerpt(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line || '(empty)';
}
