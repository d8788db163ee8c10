import { describe, expect, it } from 'vitest';
import { useEmulator } from '#support/emulator-sdk.js';
import { FAST } from '#support/emulator-timings.js';
import { expectApiError } from '#support/expect-api-error.js';

describe('SLB load balancers', () => {
  const env = useEmulator({ timings: FAST });

  it('CreateLoadBalancer answers the real fields with an address in the emulator /24', async () => {
    const { callSlb, emu } = env();
    const created = await callSlb('CreateLoadBalancer', {
      LoadBalancerName: 'web',
      AddressType: 'intranet',
    });
    expect(created).toMatchObject({
      LoadBalancerId: expect.stringMatching(/^lb-[a-z0-9]{22}$/),
      LoadBalancerName: 'web',
      AddressIPVersion: 'ipv4',
      NetworkType: 'classic',
      RequestId: expect.any(String),
    });
    const prefix = emu.subnet.replace(/\.0\/24$/, '');
    expect(created.Address).toMatch(new RegExp(`^${prefix.replaceAll('.', '\\.')}\\.1\\d\\d$`));
    const attribute = await callSlb('DescribeLoadBalancerAttribute', {
      LoadBalancerId: String(created.LoadBalancerId),
    });
    expect(attribute).toMatchObject({
      LoadBalancerStatus: 'active',
      AddressType: 'intranet',
      CreateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      CreateTimeStamp: expect.any(Number),
      ListenerPorts: { ListenerPort: [] },
      BackendServers: { BackendServer: [] },
    });
  });

  it('ClientToken: the same request returns the same balancer; other parameters conflict', async () => {
    const { callSlb } = env();
    const first = await callSlb('CreateLoadBalancer', {
      LoadBalancerName: 'idem',
      ClientToken: 'token-1',
    });
    const again = await callSlb('CreateLoadBalancer', {
      LoadBalancerName: 'idem',
      ClientToken: 'token-1',
    });
    expect(again.LoadBalancerId).toBe(first.LoadBalancerId);
    expect(again.RequestId).not.toBe(first.RequestId);
    await expectApiError(
      callSlb('CreateLoadBalancer', { LoadBalancerName: 'other', ClientToken: 'token-1' }),
      'LX_REQUEST_TOKEN_CONFLICT',
      400,
    );
    const all = await callSlb('DescribeLoadBalancers', { LoadBalancerName: 'idem' });
    expect(all.TotalCount).toBe(1);
  });

  it('DescribeLoadBalancers pages, filters by id list, name, server and tags', async () => {
    const { callSlb } = env();
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const created = await callSlb('CreateLoadBalancer', {
        LoadBalancerName: `paged-${n}`,
        'Tag.1.Key': 'suite',
        'Tag.1.Value': 'paging',
        'Tag.2.Key': 'n',
        'Tag.2.Value': String(n),
      });
      ids.push(String(created.LoadBalancerId));
    }
    const tagged = { 'Tag.1.Key': 'suite', 'Tag.1.Value': 'paging' };
    const page1 = await callSlb('DescribeLoadBalancers', { ...tagged, PageSize: 2, PageNumber: 1 });
    const page2 = await callSlb('DescribeLoadBalancers', { ...tagged, PageSize: 2, PageNumber: 2 });
    expect([page1.TotalCount, page1.PageNumber, page1.PageSize]).toEqual([3, 1, 2]);
    const names = (page: Record<string, unknown>) =>
      (page.LoadBalancers as { LoadBalancer: { LoadBalancerName: string }[] }).LoadBalancer.map(
        (lb) => lb.LoadBalancerName,
      );
    expect([...names(page1), ...names(page2)]).toEqual(['paged-1', 'paged-2', 'paged-3']);
    const byTag = await callSlb('DescribeLoadBalancers', {
      ...tagged,
      'Tag.2.Key': 'n',
      'Tag.2.Value': '2',
    });
    expect(names(byTag)).toEqual(['paged-2']);
    expect(byTag).toMatchObject({
      LoadBalancers: {
        LoadBalancer: [
          { Tags: { Tag: expect.arrayContaining([{ TagKey: 'suite', TagValue: 'paging' }]) } },
        ],
      },
    });
    const byIds = await callSlb('DescribeLoadBalancers', { LoadBalancerId: `${ids[0]},${ids[2]}` });
    expect(names(byIds)).toEqual(['paged-1', 'paged-3']);
    const jsonTags = await callSlb('DescribeLoadBalancers', {
      Tags: JSON.stringify([{ TagKey: 'n', TagValue: '3' }]),
    });
    expect(names(jsonTags)).toEqual(['paged-3']);
    await callSlb('AddBackendServers', {
      LoadBalancerId: String(ids[1]),
      BackendServers: JSON.stringify([{ ServerId: 'i-emu-web-3' }]),
    });
    expect(names(await callSlb('DescribeLoadBalancers', { ServerId: 'i-emu-web-3' }))).toEqual([
      'paged-2',
    ]);
    await expectApiError(
      callSlb('DescribeLoadBalancers', { PageSize: 101 }),
      'InvalidParameter',
      400,
    );
    await expectApiError(
      callSlb('DescribeLoadBalancers', {
        LoadBalancerId: Array.from({ length: 11 }, (_, i) => `lb-${i}`).join(','),
      }),
      'InvalidParameter',
      400,
    );
  });

  it('tags through AddTags/DescribeTags and TagResources/ListTagResources', async () => {
    const { callSlb } = env();
    const { LoadBalancerId } = await callSlb('CreateLoadBalancer', { LoadBalancerName: 'tags' });
    const id = String(LoadBalancerId);
    await callSlb('AddTags', {
      LoadBalancerId: id,
      Tags: JSON.stringify([{ TagKey: 'team', TagValue: 'ops' }]),
    });
    await callSlb('TagResources', {
      ResourceType: 'instance',
      'ResourceId.1': id,
      'Tag.1.Key': 'env',
      'Tag.1.Value': 'demo',
    });
    expect(await callSlb('DescribeTags', { LoadBalancerId: id })).toMatchObject({
      TotalCount: 2,
      TagSets: {
        TagSet: [
          { TagKey: 'team', TagValue: 'ops', InstanceCount: 1 },
          { TagKey: 'env', TagValue: 'demo', InstanceCount: 1 },
        ],
      },
    });
    expect(
      await callSlb('ListTagResources', { ResourceType: 'instance', 'ResourceId.1': id }),
    ).toMatchObject({
      TagResources: {
        TagResource: [
          { ResourceType: 'instance', ResourceId: id, TagKey: 'team', TagValue: 'ops' },
          { ResourceType: 'instance', ResourceId: id, TagKey: 'env', TagValue: 'demo' },
        ],
      },
    });
  });

  it('unknown ids → 404 InvalidLoadBalancerId.NotFound; DeleteLoadBalancer removes it', async () => {
    const { callSlb } = env();
    const error = await expectApiError(
      callSlb('DescribeLoadBalancerAttribute', { LoadBalancerId: 'lb-doesnotexist' }),
      'InvalidLoadBalancerId.NotFound',
      404,
    );
    expect(error.data).toMatchObject({
      HostId: 'slb.aliyuncs.com',
      Message: 'The specified LoadBalancerId does not exist.',
    });
    const { LoadBalancerId } = await callSlb('CreateLoadBalancer', { LoadBalancerName: 'doomed' });
    await callSlb('DeleteLoadBalancer', { LoadBalancerId: String(LoadBalancerId) });
    await expectApiError(
      callSlb('DeleteLoadBalancer', { LoadBalancerId: String(LoadBalancerId) }),
      'InvalidLoadBalancerId.NotFound',
      404,
    );
  });

  it('a call for another region → 404 InvalidRegionId.NotFound; a missing parameter → MissingParameter', async () => {
    const { callSlb } = env();
    await expectApiError(
      callSlb('DescribeLoadBalancers', { RegionId: 'cn-beijing' }),
      'InvalidRegionId.NotFound',
      404,
    );
    await expectApiError(callSlb('DescribeLoadBalancerAttribute'), 'MissingParameter', 400);
  });
});
