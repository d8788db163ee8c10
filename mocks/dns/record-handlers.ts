/**
 * Alidns record actions. Changes are pushed to the world's authoritative DNS server at once, so a
 * cutover can be verified by resolution. UpdateDomainRecord with the record's current values
 * answers DomainRecordDuplicate, as the real API does.
 */
import type { EmulatorContext } from '../emulator/context.js';
import type { Params } from '../server/params.js';
import type { Handler } from '../server/product.js';
import { DomainRecordConflict, DomainRecordDuplicate, InvalidDomainNameNoExist } from './errors.js';
import { type RecordInput, recordInput } from './record-input.js';
import { pageOf, recordInfoView, recordView } from './record-views.js';
import type { DnsRecord } from './store.js';

function sameRecord(a: RecordInput, b: DnsRecord): boolean {
  return a.rr === b.rr && a.type === b.type && a.value === b.value && a.line === b.line;
}

function checkClashes(input: RecordInput, others: DnsRecord[]): void {
  for (const other of others) {
    if (sameRecord(input, other)) throw new DomainRecordDuplicate();
    const cnameClash = (input.type === 'CNAME') !== (other.type === 'CNAME');
    if (other.rr === input.rr && other.line === input.line && cnameClash)
      throw new DomainRecordConflict();
  }
}

function paging(params: Params, maxPageSize: number) {
  return {
    pageNumber: params.int('PageNumber', { min: 1 }) ?? 1,
    pageSize: params.int('PageSize', { min: 1, max: maxPageSize }) ?? 20,
  };
}

function listing(records: DnsRecord[], params: Params) {
  const { pageNumber, pageSize } = paging(params, 500);
  return {
    PageNumber: pageNumber,
    PageSize: pageSize,
    TotalCount: records.length,
    DomainRecords: { Record: pageOf(records, pageNumber, pageSize).map(recordView) },
  };
}

const DescribeDomainRecords: Handler<EmulatorContext> = ({ params, ctx }) => {
  const domain = ctx.dns.domain(params.required('DomainName'));
  const exact = params.string('SearchMode') === 'EXACT';
  const like = (wanted: string | undefined, actual: string) =>
    !wanted || (exact ? actual === wanted.toLowerCase() : actual.includes(wanted.toLowerCase()));
  const keyWord = params.string('KeyWord');
  const records = ctx.dns
    .recordsOf(domain.name)
    .filter(
      (record) =>
        like(params.string('RRKeyWord'), record.rr) &&
        like(params.string('ValueKeyWord'), record.value.toLowerCase()) &&
        (!params.string('TypeKeyWord') ||
          record.type === params.string('TypeKeyWord')?.toUpperCase()) &&
        (!params.string('Type') || record.type === params.string('Type')) &&
        (!params.string('Line') || record.line === params.string('Line')) &&
        (!params.string('Status') || record.status === params.string('Status')?.toUpperCase()) &&
        (!keyWord || like(keyWord, record.rr) || like(keyWord, record.value.toLowerCase())),
    );
  return listing(records, params);
};

const DescribeSubDomainRecords: Handler<EmulatorContext> = ({ params, ctx }) => {
  const subDomain = params.required('SubDomain').toLowerCase().replace(/\.$/, '');
  const named = params.string('DomainName');
  const domain = named
    ? ctx.dns.domain(named)
    : [...ctx.dns.domains.values()]
        .filter((d) => subDomain === d.name || subDomain.endsWith(`.${d.name}`))
        .sort((a, b) => b.name.length - a.name.length)[0];
  if (!domain) throw new InvalidDomainNameNoExist();
  const rr = subDomain === domain.name ? '@' : subDomain.slice(0, -(domain.name.length + 1));
  const records = ctx.dns
    .recordsOf(domain.name)
    .filter(
      (record) =>
        record.rr === rr &&
        (!params.string('Type') || record.type === params.string('Type')) &&
        (!params.string('Line') || record.line === params.string('Line')),
    );
  return listing(records, params);
};

const DescribeDomainRecordInfo: Handler<EmulatorContext> = ({ params, ctx }) => {
  const record = ctx.dns.record(params.required('RecordId'));
  return recordInfoView(record, ctx.dns.domain(record.domainName));
};

const AddDomainRecord: Handler<EmulatorContext> = ({ params, ctx }) => {
  const domain = ctx.dns.domain(params.required('DomainName'));
  const input = recordInput(params, domain);
  checkClashes(input, ctx.dns.recordsOf(domain.name));
  const now = ctx.now();
  const record = ctx.dns.add({
    ...input,
    domainName: domain.name,
    status: 'ENABLE',
    createdAt: now,
    updatedAt: now,
  });
  ctx.publishDns();
  return { RecordId: record.recordId };
};

const UpdateDomainRecord: Handler<EmulatorContext> = ({ params, ctx }) => {
  const record = ctx.dns.record(params.required('RecordId'));
  const input = recordInput(params, ctx.dns.domain(record.domainName));
  if (sameRecord(input, record) && input.ttl === record.ttl && input.priority === record.priority) {
    throw new DomainRecordDuplicate();
  }
  checkClashes(
    input,
    ctx.dns.recordsOf(record.domainName).filter((other) => other.recordId !== record.recordId),
  );
  Object.assign(record, input, { updatedAt: ctx.now() });
  ctx.publishDns();
  return { RecordId: record.recordId };
};

const DeleteDomainRecord: Handler<EmulatorContext> = ({ params, ctx }) => {
  const record = ctx.dns.record(params.required('RecordId'));
  ctx.dns.records.delete(record.recordId);
  ctx.publishDns();
  return { RecordId: record.recordId };
};

const SetDomainRecordStatus: Handler<EmulatorContext> = ({ params, ctx }) => {
  const record = ctx.dns.record(params.required('RecordId'));
  const status = params.oneOf('Status', ['Enable', 'Disable']);
  if (status === undefined) params.required('Status');
  record.status = status === 'Disable' ? 'DISABLE' : 'ENABLE';
  ctx.publishDns();
  return { RecordId: record.recordId, Status: status };
};

export const recordHandlers: Record<string, Handler<EmulatorContext>> = {
  DescribeDomainRecords,
  DescribeSubDomainRecords,
  DescribeDomainRecordInfo,
  AddDomainRecord,
  UpdateDomainRecord,
  DeleteDomainRecord,
  SetDomainRecordStatus,
};
