/**
 * The smallest TTL a domain's Alidns edition allows (docs/aliyun.md, "Alidns": 600 on Free and
 * Personal, 60 on Enterprise Standard, 1 on Enterprise Ultimate). DescribeDomainInfo with
 * NeedDetailAttributes reports it as MinTtl; when it does not, the edition's code decides.
 * The codes below are unconfirmed (no source found): an unknown edition gets 600, the
 * conservative answer, so a plan never promises a TTL the domain cannot have.
 */
import type { AlidnsDomainInfo } from './alidns-client.js';

const FREE_EDITION_MIN_TTL = 600;

const BY_VERSION_CODE: Readonly<Record<string, number>> = {
  mianfei: 600,
  version_personal: 600,
  version_enterprise_basic: 60,
  version_enterprise_advanced: 1,
};

export function minimumTtlOf(info: AlidnsDomainInfo): number {
  if (info.minTtl !== undefined && info.minTtl > 0) return info.minTtl;
  const byCode = info.versionCode === undefined ? undefined : BY_VERSION_CODE[info.versionCode];
  return byCode ?? FREE_EDITION_MIN_TTL;
}
