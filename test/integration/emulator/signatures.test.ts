import { describe, expect, it } from 'vitest';
import {
  Alidns,
  Ecs,
  EcsClientClass,
  OpenApiClientClass,
  sdkConfig,
  slbCaller,
  useEmulator,
} from '#support/emulator-sdk.js';
import { FAST } from '#support/emulator-timings.js';
import { expectApiError } from '#support/expect-api-error.js';
import { send, signAcs3, signV1 } from './hand-signed.js';

const ECS = { action: 'DescribeInstanceStatus', version: '2014-05-26' };

describe('signatures', () => {
  const env = useEmulator({ timings: FAST });

  describe('accepted', () => {
    it('ACS3 from the ECS and Alidns SDKs, and from openapi-client callApi (SLB)', async () => {
      const { ecs, dns, callSlb } = env();
      const instances = await ecs.describeInstances(
        new Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }),
      );
      expect(instances.body?.totalCount).toBe(4);
      const domain = await dns.describeDomainRecords(
        new Alidns.DescribeDomainRecordsRequest({ domainName: 'example.com' }),
      );
      expect(domain.body?.totalCount).toBe(1);
      expect(await callSlb('DescribeLoadBalancers')).toMatchObject({ TotalCount: 0 });
    });

    it("values with !'()* and spaces: the canonical query is rebuilt, not copied from the URL", async () => {
      const { ecs } = env();
      const result = await ecs.describeInstances(
        new Ecs.DescribeInstancesRequest({
          regionId: 'cn-hangzhou',
          instanceName: "web (1)! it's *",
          tag: [{ key: 'a b', value: "x!'()*~" }],
        }),
      );
      expect(result.body?.totalCount).toBe(0);
    });

    it('V1 HMAC-SHA1 by hand: GET with the query, POST with a form body', async () => {
      const { emu } = env();
      const get = await send(
        signV1({
          endpoint: emu.endpoint,
          method: 'GET',
          ...ECS,
          params: { RegionId: 'cn-hangzhou' },
        }),
      );
      expect(get.status).toBe(200);
      expect(get.body).toMatchObject({ TotalCount: 4 });
      const post = await send(
        signV1({
          endpoint: emu.endpoint,
          method: 'POST',
          ...ECS,
          params: { RegionId: 'cn-hangzhou', 'InstanceId.1': 'i-emu-web-2' },
          asForm: true,
        }),
      );
      expect(post.status).toBe(200);
      expect(post.body).toMatchObject({
        InstanceStatuses: { InstanceStatus: [{ InstanceId: 'i-emu-web-2', Status: 'Running' }] },
      });
    });

    it("V1 as openapi-client sends it with signatureAlgorithm 'v2'", async () => {
      const { emu } = env();
      const client = new OpenApiClientClass(sdkConfig(emu, { signatureAlgorithm: 'v2' }));
      expect(await slbCaller(client, emu.region)('DescribeLoadBalancers')).toMatchObject({
        TotalCount: 0,
      });
    });

    it('ACS3 by hand', async () => {
      const { emu } = env();
      const response = await send(
        signAcs3({ endpoint: emu.endpoint, ...ECS, query: { RegionId: 'cn-hangzhou' } }),
      );
      expect(response.status).toBe(200);
      expect(response.requestIdHeader).toBe(response.body.RequestId);
    });
  });

  describe('rejected with the real code and status', () => {
    it('wrong secret → 400 SignatureDoesNotMatch', async () => {
      const { emu } = env();
      const ecs = new EcsClientClass(sdkConfig(emu, { accessKeySecret: 'not-the-secret' }));
      const error = await expectApiError(
        ecs.describeInstances(new Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou' })),
        'SignatureDoesNotMatch',
        400,
      );
      expect(error.data.Message).toContain('ACS3-HMAC-SHA256\n');
    });

    it('unknown access key → 404 InvalidAccessKeyId.NotFound', async () => {
      const { emu } = env();
      const ecs = new EcsClientClass(sdkConfig(emu, { accessKeyId: 'LTAI5tSomebodyElse' }));
      await expectApiError(
        ecs.describeInstances(new Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou' })),
        'InvalidAccessKeyId.NotFound',
        404,
      );
    });

    it('wrong secret on V1 → 400 SignatureDoesNotMatch', async () => {
      const { emu } = env();
      const response = await send(
        signV1({
          endpoint: emu.endpoint,
          method: 'GET',
          ...ECS,
          params: { RegionId: 'cn-hangzhou' },
          secret: 'nope',
        }),
      );
      expect([response.status, response.body.Code]).toEqual([400, 'SignatureDoesNotMatch']);
    });

    it('tampered query → 400 SignatureDoesNotMatch', async () => {
      const { emu } = env();
      const signed = signAcs3({
        endpoint: emu.endpoint,
        ...ECS,
        query: { 'InstanceId.1': 'i-emu-web-1' },
      });
      signed.url = signed.url.replace('i-emu-web-1', 'i-emu-web-2');
      const response = await send(signed);
      expect([response.status, response.body.Code]).toEqual([400, 'SignatureDoesNotMatch']);
      expect(response.body).toMatchObject({
        HostId: 'ecs.aliyuncs.com',
        RequestId: response.requestIdHeader,
      });
    });

    it('a signed header changed after signing → 400 SignatureDoesNotMatch', async () => {
      const { emu } = env();
      const signed = signAcs3({ endpoint: emu.endpoint, ...ECS, query: {} });
      signed.init.headers['x-acs-action'] = 'RebootInstance';
      const response = await send(signed);
      expect([response.status, response.body.Code]).toEqual([400, 'SignatureDoesNotMatch']);
    });

    it('x-acs-date outside the 15-minute window → 400 InvalidTimeStamp.Expired', async () => {
      const { emu } = env();
      const stale = new Date(Date.now() - 20 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const response = await send(
        signAcs3({ endpoint: emu.endpoint, ...ECS, query: {}, date: stale }),
      );
      expect([response.status, response.body.Code]).toEqual([400, 'InvalidTimeStamp.Expired']);
      const v1 = await send(
        signV1({ endpoint: emu.endpoint, method: 'GET', ...ECS, params: {}, timestamp: stale }),
      );
      expect([v1.status, v1.body.Code]).toEqual([400, 'InvalidTimeStamp.Expired']);
    });

    it('a replayed request (same nonce) → 400 SignatureNonceUsed', async () => {
      const { emu } = env();
      const signed = signAcs3({ endpoint: emu.endpoint, ...ECS, query: {} });
      expect((await send(signed)).status).toBe(200);
      const replay = await send(signed);
      expect([replay.status, replay.body.Code]).toEqual([400, 'SignatureNonceUsed']);
    });

    it('no credentials at all → 400 MissingAccessKeyId; a broken Authorization → 400 IncompleteSignature', async () => {
      const { emu } = env();
      const bare = await send({
        url: `${emu.endpoint}/?Action=DescribeInstances&Version=2014-05-26`,
        init: { method: 'GET' },
      });
      expect([bare.status, bare.body.Code]).toEqual([400, 'MissingAccessKeyId']);
      const broken = await send({
        url: `${emu.endpoint}/`,
        init: {
          method: 'POST',
          headers: {
            'x-acs-action': 'DescribeInstances',
            'x-acs-version': '2014-05-26',
            authorization: 'ACS3-HMAC-SHA256 Credential=LTAI5tEmulatorLocalOnly',
          },
        },
      });
      expect([broken.status, broken.body.Code]).toEqual([400, 'IncompleteSignature']);
    });

    it('unknown version → 400 InvalidVersion; unknown action → 404 InvalidAction.NotFound', async () => {
      const { emu } = env();
      const version = await send(
        signAcs3({
          endpoint: emu.endpoint,
          action: 'DescribeInstances',
          version: '2099-01-01',
          query: {},
        }),
      );
      expect([version.status, version.body.Code]).toEqual([400, 'InvalidVersion']);
      const action = await send(
        signAcs3({
          endpoint: emu.endpoint,
          action: 'LaunchRocket',
          version: '2014-05-26',
          query: {},
        }),
      );
      expect([action.status, action.body.Code]).toEqual([404, 'InvalidAction.NotFound']);
    });
  });
});
