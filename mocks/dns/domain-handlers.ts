/**
 * DescribeDomainInfo and DescribeDomains. The real API lists Alibaba's name servers (host names
 * such as ns1.alidns.com) in DnsServers; the emulator lists its own authoritative server as
 * "host:port" (the world's UDP server), so a client can resolve against it. VersionCode,
 * VersionName and MinTtl follow the domain's edition, so drainctl can learn the minimum TTL.
 */
import type { EmulatorContext } from '../emulator/context.js';
import { isoSeconds } from '../emulator/ids.js';
import type { Handler } from '../server/product.js';
import { DNS_EDITIONS } from '../topology/schema.js';
import type { Domain } from './store.js';

const STANDARD_TTLS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 43200, 86400];

function domainSummary(domain: Domain, ctx: EmulatorContext): Record<string, unknown> {
  const edition = DNS_EDITIONS[domain.edition];
  return {
    DomainId: domain.domainId,
    DomainName: domain.name,
    PunyCode: domain.name,
    AliDomain: false,
    VersionCode: edition.versionCode,
    VersionName: edition.versionName,
    InstanceId: `dns-emu-${domain.edition}`,
    GroupId: '',
    GroupName: '',
    Remark: '',
    ResourceGroupId: 'rg-emulator-default',
    CreateTime: isoSeconds(domain.createdAt),
    CreateTimestamp: domain.createdAt,
    DnsServers: { DnsServer: [ctx.world.dnsServer] },
  };
}

const DescribeDomainInfo: Handler<EmulatorContext> = ({ params, ctx }) => {
  const domain = ctx.dns.domain(params.required('DomainName'));
  const { CreateTimestamp: _ts, ...summary } = domainSummary(domain, ctx);
  const minTtl = DNS_EDITIONS[domain.edition].minTtl;
  return {
    ...summary,
    MinTtl: minTtl,
    AvailableTtls: {
      AvailableTtl: STANDARD_TTLS.filter((ttl) => ttl >= minTtl).map(String),
    },
    LineType: 'domestic',
    RegionLines: false,
    InBlackHole: false,
    InClean: false,
    SlaveDns: false,
    SubDomain: false,
    DomainLoggingSwitchStatus: 'CLOSE',
    RecordLines: {
      RecordLine: [
        { LineCode: 'default', LineName: 'Default', LineDisplayName: 'Default', FatherCode: '' },
      ],
    },
  };
};

const DescribeDomains: Handler<EmulatorContext> = ({ params, ctx }) => {
  const keyWord = params.string('KeyWord')?.toLowerCase();
  const pageNumber = params.int('PageNumber', { min: 1 }) ?? 1;
  const pageSize = params.int('PageSize', { min: 1, max: 100 }) ?? 20;
  const domains = [...ctx.dns.domains.values()].filter((d) => !keyWord || d.name.includes(keyWord));
  return {
    PageNumber: pageNumber,
    PageSize: pageSize,
    TotalCount: domains.length,
    Domains: {
      Domain: domains.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((domain) => ({
        ...domainSummary(domain, ctx),
        RecordCount: ctx.dns.recordsOf(domain.name).length,
      })),
    },
  };
};

export const domainHandlers: Record<string, Handler<EmulatorContext>> = {
  DescribeDomainInfo,
  DescribeDomains,
};
