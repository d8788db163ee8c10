/**
 * How `drainctl inspect` prints what it saw and its checklist for people (the JSON form is the
 * report object itself).
 */
import type { CheckLine, InspectReport } from '../../app/index.js';
import type { ObservedInventory } from '../../plan/types.js';
import type { Output } from '../output.js';

export function renderInspect(report: InspectReport, out: Output): void {
  out.line(`${report.workflow.name} (${report.workflow.file}), region ${report.region}`);
  const inventory = report.inventory;
  if (inventory !== undefined) {
    out.line(`observed ${inventory.observedAt}`);
    renderBalancer(inventory, report.createsBalancer, out);
    renderInstances(inventory, out);
    renderDns(inventory, out);
  }
  out.line();
  out.line(out.style('bold', 'Checklist'));
  for (const line of report.checklist) {
    const mark =
      line.status === 'pass'
        ? out.style('green', 'PASS')
        : line.status === 'fail'
          ? out.style('red', 'FAIL')
          : out.style('yellow', 'SKIP');
    out.line(`  ${mark}  ${line.title}: ${line.detail}`);
  }
  const count = (status: CheckLine['status']) =>
    report.checklist.filter((l) => l.status === status).length;
  const skipped = count('skip') > 0 ? `, ${count('skip')} not checked` : '';
  out.line();
  out.line(
    count('fail') === 0
      ? `All checks pass (${count('pass')} passed${skipped}).`
      : `${count('fail')} of ${report.checklist.length} checks fail (${count('pass')} passed${skipped}).`,
  );
}

function renderBalancer(inventory: ObservedInventory, creates: string | undefined, out: Output) {
  out.line();
  out.line(out.style('bold', 'Load balancer'));
  const lb = inventory.loadBalancer;
  if (lb === undefined) {
    out.line(`  ${creates === undefined ? 'none found' : `${creates}: will be created`}`);
    return;
  }
  out.line(`  ${lb.name} (${lb.id}) ${lb.status}, ${lb.addressType} address ${lb.address}`);
  for (const listener of lb.listenerDetails) {
    const hc = listener.healthCheck;
    const check = hc.enabled
      ? `${hc.type} check${hc.type === 'http' ? ` ${hc.uri ?? '/'}` : ''} every ${hc.intervalSeconds} s`
      : 'no health check';
    out.line(
      `  listener ${listener.protocol}:${listener.port} → :${listener.backendPort} ${listener.status}, ${check}`,
    );
  }
  if (lb.listenerDetails.length === 0) out.line('  no listeners');
  for (const backend of lb.backends) {
    const health = lb.health
      .filter((h) => h.serverId === backend.serverId)
      .map((h) => `${h.health} on :${h.listenerPort}`)
      .join(', ');
    out.line(
      `  backend ${backend.serverId} weight ${backend.weight}${health ? `, ${health}` : ''}`,
    );
  }
  if (lb.backends.length === 0) out.line('  no backends');
}

function renderInstances(inventory: ObservedInventory, out: Output) {
  out.line();
  out.line(out.style('bold', 'Instances'));
  for (const i of inventory.instances) {
    const addresses = [i.privateIp, i.publicIp].filter(Boolean).join(', ');
    out.line(
      `  ${i.id} ${i.name} ${i.status}${addresses ? ` ${addresses}` : ''}${i.osName ? `, ${i.osName}` : ''}`,
    );
  }
  if (inventory.instances.length === 0) out.line('  none selected');
}

function renderDns(inventory: ObservedInventory, out: Output) {
  const dns = inventory.dns;
  if (dns === undefined) return;
  out.line();
  out.line(out.style('bold', 'DNS'));
  const record = dns.record;
  out.line(
    record === undefined
      ? '  no record'
      : `  ${record.rr === '@' ? record.domain : `${record.rr}.${record.domain}`} ${record.type} ${record.value} TTL ${record.ttl} (record ${record.recordId})`,
  );
  out.line(
    `  edition minimum TTL ${dns.minimumTtl}; name servers ${dns.nameServers.join(', ') || 'none'}`,
  );
}
