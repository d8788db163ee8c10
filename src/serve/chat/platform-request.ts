/**
 * One HTTP call to a chat platform's API, for replies and group look-ups alike: the base URL
 * from serve.yaml (`chat.platforms.<p>.apiBaseUrl`, so tests point it at mocks/chat-platforms),
 * a timeout, and the platform's own way of saying no turned into an error the caller names.
 */
import type { ChatConfig, ChatPlatform } from '../../chat/index.js';

const DEFAULT_BASE_URL: Readonly<Record<ChatPlatform, string>> = {
  slack: 'https://slack.com',
  dingtalk: 'https://api.dingtalk.com',
  feishu: 'https://open.feishu.cn',
  wecom: 'https://qyapi.weixin.qq.com',
};

const REQUEST_TIMEOUT_MS = 10_000;

export function platformBaseUrl(config: ChatConfig, platform: ChatPlatform): string {
  const configured = config.platforms[platform]?.apiBaseUrl;
  return (configured ?? DEFAULT_BASE_URL[platform]).replace(/\/+$/, '');
}

/**
 * The JSON answer of `url`, or `fail(what went wrong)`: unreachable or slower than the timeout,
 * a non-2xx status, or what `problem` finds in the answer (the platform's error field).
 */
export async function requestPlatformJson(
  fetchFn: typeof fetch,
  url: string,
  init: RequestInit,
  problem: (json: Record<string, unknown>) => string | undefined,
  fail: (what: string, cause?: unknown) => Error,
): Promise<Record<string, unknown>> {
  const where = new URL(url).pathname;
  let response: Response;
  try {
    response = await fetchFn(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw fail(`${where} could not be reached`, error);
  }
  const text = await response.text();
  if (!response.ok) throw fail(`${where} answered ${response.status}`);
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) json = parsed as Record<string, unknown>;
  } catch {
    // Slack's response_url answers the text "ok": only the JSON APIs are read further.
  }
  const refused = problem(json);
  if (refused !== undefined) throw fail(`${where} refused: ${refused}`);
  return json;
}
