/** Each channel type's platform. */
import type { NotifyChannelSpec } from '../../workflow/index.js';
import { dingtalk } from './dingtalk.js';
import { feishu } from './feishu.js';
import type { Platform } from './platform.js';
import { slack } from './slack.js';
import { webhook } from './webhook.js';
import { wecom } from './wecom.js';

export type { DeliveryAnswer, OutgoingRequest, Platform, Rendered } from './platform.js';

export const PLATFORMS: Record<NotifyChannelSpec['type'], Platform> = {
  dingtalk,
  feishu,
  wecom,
  slack,
  webhook,
};
