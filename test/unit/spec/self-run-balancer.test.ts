import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '#src/errors/index.js';
import { parseWorkflow } from '#src/workflow/index.js';
import { loadExample } from '#support/workflows.js';

const REST = `backends:
  instances: [i-a, i-b]
drain:
  probe:
    kind: access-log
    path: /var/log/{name}/access.log
`;

function parse(loadBalancer: string) {
  return parseWorkflow(
    {
      file: 'lb.yaml',
      text: `name: web\nregion: cn-hangzhou\nloadBalancer:\n${loadBalancer}${REST}`,
    },
    {},
  );
}

function issues(loadBalancer: string) {
  try {
    parse(loadBalancer);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      return error.issues.map((issue) => `${issue.path}: ${issue.expected} / ${issue.found}`);
    }
    throw error;
  }
  throw new Error('the workflow was accepted');
}

describe('loadBalancer.kind', () => {
  it('leaves an SLB workflow as it was: no kind in the validated spec', () => {
    expect(parse('  id: lb-abc\n').spec.loadBalancer).not.toHaveProperty('kind');
  });

  it('reads an nginx upstream with its defaults', () => {
    const { spec } = parse(
      '  kind: nginx\n  nginx:\n    hosts: [local]\n    configFile: /etc/nginx/conf.d/app.conf\n    upstream: app\n    port: 8080\n',
    );
    expect(spec.loadBalancer.nginx).toEqual({
      hosts: ['local'],
      configFile: '/etc/nginx/conf.d/app.conf',
      upstream: 'app',
      command: 'nginx',
      pidFile: '/run/nginx.pid',
      port: 8080,
      servers: {},
      reloadTimeoutSeconds: 30,
    });
  });

  it('refuses SLB fields on an nginx kind, a missing section and unmatched servers', () => {
    expect(
      issues(
        '  kind: nginx\n  id: lb-abc\n  nginx:\n    hosts: [local]\n    configFile: /etc/nginx/app.conf\n    upstream: app\n',
      ),
    ).toEqual([
      'loadBalancer.id: no id with kind: nginx (it belongs to an SLB) / id',
      "loadBalancer.nginx.port: the servers' port in the upstream (privateIp:port), or servers by instance id / neither",
    ]);
    expect(issues('  kind: haproxy\n')).toEqual([
      'loadBalancer.haproxy: the haproxy settings of kind: haproxy / nothing',
    ]);
    expect(
      issues(
        '  id: lb-abc\n  haproxy:\n    statsSocket: /run/haproxy/admin.sock\n    backend: app\n    servers: { i-a: web1 }\n',
      ),
    ).toEqual(['loadBalancer.haproxy: haproxy settings only with kind: haproxy / kind: slb']);
  });

  it('accepts the examples of workflows/', () => {
    expect(loadExample('workflows/nginx-upstream.yaml').spec.loadBalancer.kind).toBe('nginx');
    expect(loadExample('workflows/haproxy.yaml').spec.loadBalancer.haproxy?.servers).toEqual({
      'i-bp1web1': 'web1',
      'i-bp1web2': 'web2',
      'i-bp1web3': 'web3',
    });
  });
});

describe('loadBalancer.kind: keepalived', () => {
  const NODES = '    nodes:\n      i-a: { netns: ka1 }\n      i-b: { netns: ka2 }\n';

  it('reads a pair with its defaults', () => {
    const { spec } = parse(
      `  kind: keepalived\n  keepalived:\n    vip: 10.0.0.100\n    port: 80\n${NODES}`,
    );
    expect(spec.loadBalancer.keepalived).toEqual({
      vip: '10.0.0.100',
      port: 80,
      nodes: {
        'i-a': {
          host: 'local',
          netns: 'ka1',
          pidFile: '/run/keepalived.pid',
          start: 'systemctl start keepalived',
        },
        'i-b': {
          host: 'local',
          netns: 'ka2',
          pidFile: '/run/keepalived.pid',
          start: 'systemctl start keepalived',
        },
      },
      moveBack: false,
      quietSeconds: 10,
      moveTimeoutSeconds: 30,
    });
  });

  it('refuses a pair that is not two nodes, a VIP that is no address, and SLB fields', () => {
    expect(
      issues(
        '  kind: keepalived\n  keepalived:\n    vip: 10.0.0.100\n    port: 80\n    nodes:\n      i-a: {}\n',
      ),
    ).toEqual([
      'loadBalancer.keepalived.nodes: the two nodes of the pair, by instance id / 1: i-a',
      'loadBalancer.keepalived.nodes: the same instances as backends.instances / no node for i-b',
    ]);
    expect(
      issues(`  kind: keepalived\n  keepalived:\n    vip: vip.example\n    port: 80\n${NODES}`),
    ).toEqual(['loadBalancer.keepalived.vip: an IPv4 address / "vip.example"']);
    expect(
      issues(
        `  kind: keepalived\n  id: lb-abc\n  keepalived:\n    vip: 10.0.0.100\n    port: 80\n${NODES}`,
      ),
    ).toEqual(['loadBalancer.id: no id with kind: keepalived (it belongs to an SLB) / id']);
    expect(
      issues(
        '  kind: keepalived\n  keepalived:\n    vip: 10.0.0.100\n    port: 80\n    nodes:\n      i-a: {}\n      i-c: {}\n',
      ),
    ).toEqual([
      'loadBalancer.keepalived.nodes: the same instances as backends.instances / not in backends.instances: i-c; no node for i-b',
    ]);
    expect(issues('  kind: keepalived\n')).toEqual([
      'loadBalancer.keepalived: the keepalived settings of kind: keepalived / nothing',
    ]);
  });

  it('accepts the example of workflows/', () => {
    const { spec } = loadExample('workflows/keepalived-pair.yaml');
    expect(Object.keys(spec.loadBalancer.keepalived?.nodes ?? {})).toEqual([
      'i-bp1ka1',
      'i-bp1ka2',
    ]);
  });
});
