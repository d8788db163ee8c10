/**
 * The DingTalk departments a sender is in: `topapi/v2/user/get` (`result.dept_id_list`) with the
 * internal app's access_token from `gettoken` (AppKey and AppSecret), on oapi.dingtalk.com. Each
 * person's departments are kept for a few minutes, the token until shortly before it expires.
 * Any failure throws ChatGroupsError: the caller refuses rather than guess.
 */
import type { ChatConfig } from '../../chat/index.js';
import { requestPlatformJson } from './platform-request.js';
import { ChatGroupsError, GROUP_MEMBERS_TTL_MS } from './slack-user-groups.js';

/** The older server API (gettoken, topapi) lives here, not on api.dingtalk.com. */
const DINGTALK_OAPI_BASE_URL = 'https://oapi.dingtalk.com';

export interface DingtalkDepartmentsOptions {
  config: ChatConfig;
  appKey: string;
  appSecret: string;
  now: () => number;
  fetch?: typeof fetch;
}

export class DingtalkDepartments {
  private readonly departments = new Map<string, { ids: string[]; expiresAtMs: number }>();
  private token: { value: string; expiresAtMs: number } | undefined;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: DingtalkDepartmentsOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async groupsOf(userId: string): Promise<string[]> {
    const cached = this.departments.get(userId);
    if (cached !== undefined && cached.expiresAtMs > this.options.now()) return cached.ids;
    const token = await this.accessToken();
    const answer = await this.call(
      `/topapi/v2/user/get?access_token=${encodeURIComponent(token)}`,
      { method: 'POST', body: JSON.stringify({ userid: userId }) },
      `departments of ${userId}`,
    );
    const result = answer.result;
    const list =
      typeof result === 'object' && result !== null
        ? (result as Record<string, unknown>).dept_id_list
        : undefined;
    const ids = Array.isArray(list) ? list.map(String) : [];
    this.departments.set(userId, { ids, expiresAtMs: this.options.now() + GROUP_MEMBERS_TTL_MS });
    return ids;
  }

  private async accessToken(): Promise<string> {
    if (this.token !== undefined && this.token.expiresAtMs > this.options.now()) {
      return this.token.value;
    }
    const { appKey, appSecret } = this.options;
    const answer = await this.call(
      `/gettoken?appkey=${encodeURIComponent(appKey)}&appsecret=${encodeURIComponent(appSecret)}`,
      { method: 'GET' },
      'access token',
    );
    if (typeof answer.access_token !== 'string' || answer.access_token === '') {
      throw new ChatGroupsError('dingtalk access token: /gettoken answered no token');
    }
    const lifetimeS = typeof answer.expires_in === 'number' ? answer.expires_in : 7200;
    // Renewed a minute early, so a token never expires between reading and using it.
    this.token = {
      value: answer.access_token,
      expiresAtMs: this.options.now() + Math.max(0, lifetimeS - 60) * 1000,
    };
    return this.token.value;
  }

  private call(path: string, init: RequestInit, what: string): Promise<Record<string, unknown>> {
    const base = (
      this.options.config.platforms.dingtalk?.apiBaseUrl ?? DINGTALK_OAPI_BASE_URL
    ).replace(/\/+$/, '');
    return requestPlatformJson(
      this.fetch,
      `${base}${path}`,
      { ...init, headers: { 'content-type': 'application/json; charset=utf-8' } },
      (json) =>
        json.errcode === 0
          ? undefined
          : `errcode ${String(json.errcode)} ${String(json.errmsg ?? '')}`.trim(),
      (problem, cause) =>
        new ChatGroupsError(`dingtalk ${what}: ${problem}`, cause === undefined ? {} : { cause }),
    );
  }
}
