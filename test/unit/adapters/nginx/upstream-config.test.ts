import { describe, expect, it } from 'vitest';
import { upstreamServers, withServerWeight } from '#src/adapters/nginx/upstream-config.js';

const CONF = `# app servers; "upstream other {" in a comment is not a block
upstream other { server 10.0.0.9:80; }
upstream app {
    hash $request_uri consistent;
    server 10.0.0.1:8080 max_fails=3;   # first
    server 10.0.0.2:8080 weight=5;
    server 10.0.0.3:8080
        weight=2 backup;
    server 10.0.0.4:8080 down;
}
server { listen 80; location / { proxy_pass http://app; } }
`;

describe('the server lines of an nginx upstream', () => {
  it('reads each server of the named upstream only, with its weight and down flag', () => {
    expect(
      upstreamServers(CONF, 'app', 'app.conf').map(({ address, weight, down }) => ({
        address,
        weight,
        down,
      })),
    ).toEqual([
      { address: '10.0.0.1:8080', weight: 1, down: false },
      { address: '10.0.0.2:8080', weight: 5, down: false },
      { address: '10.0.0.3:8080', weight: 2, down: false },
      { address: '10.0.0.4:8080', weight: 1, down: true },
    ]);
  });

  it('marks a server down and changes nothing else in the file', () => {
    const drained = withServerWeight(CONF, CONF, 'app', '10.0.0.1:8080', 0, 'app.conf');
    expect(drained).toBe(
      CONF.replace('server 10.0.0.1:8080 max_fails=3;', 'server 10.0.0.1:8080 max_fails=3 down;'),
    );
  });

  it('ramps with weight= and puts the original line back byte for byte', () => {
    const drained = withServerWeight(CONF, CONF, 'app', '10.0.0.3:8080', 0, 'app.conf');
    const ramp = withServerWeight(drained, CONF, 'app', '10.0.0.3:8080', 1, 'app.conf');
    expect(ramp).toContain('server 10.0.0.3:8080\n        weight=1 backup;');
    expect(withServerWeight(ramp, CONF, 'app', '10.0.0.3:8080', 2, 'app.conf')).toBe(CONF);
    const first = withServerWeight(CONF, CONF, 'app', '10.0.0.1:8080', 0, 'app.conf');
    const half = withServerWeight(first, CONF, 'app', '10.0.0.1:8080', 3, 'app.conf');
    expect(half).toContain('server 10.0.0.1:8080 max_fails=3 weight=3;');
    expect(withServerWeight(half, CONF, 'app', '10.0.0.1:8080', 1, 'app.conf')).toBe(CONF);
  });

  it('refuses an address that is not in the upstream, naming file and upstream', () => {
    expect(() => withServerWeight(CONF, CONF, 'app', '10.0.0.9:80', 0, 'app.conf')).toThrow(
      'app.conf: upstream app has no server 10.0.0.9:80',
    );
    expect(() => upstreamServers(CONF, 'api', 'app.conf')).toThrow('app.conf has no upstream api');
  });
});
