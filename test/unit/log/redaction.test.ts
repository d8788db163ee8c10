import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  createLogger,
  REDACTED,
  redact,
  redactJsonText,
  redactString,
  registerSecret,
  registerSecretsFromEnv,
} from '#src/log/index.js';

/** Collects everything a logger writes. */
function capture() {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { stream, text: () => chunks.join('') };
}

// One value per kind of secret drainctl handles. Each must be absent from every log line.
const secrets = {
  accessKeySecret: 'kX9fQ2rT7vW1zA3bC5dE7gH9jK1mN3pR',
  securityToken: 'CAIS8gF1q6Ft5B2yfSjIr5bSEsKA1rJb0o6mY0zekmk0fvlVhqLaljz2IHhMdXFhBe0ctv4',
  webhookSecret: 'SEC4f1e9a2b7c3d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7',
  sshPassphrase: 'correct horse battery staple 42',
  dbPassword: 'p@ssw0rd-in-a-hook-env',
  authorizationHeader:
    'ACS3-HMAC-SHA256 Credential=LTAI5tEmulatorLocalOnly,SignedHeaders=host;x-acs-action,Signature=0f9e8d7c6b5a49382716a5b4c3d2e1f0aabbccddeeff00112233445566778899',
  bearer: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcHMifQ.c2lnbmF0dXJlLXZhbHVl',
  webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d',
  privateKey:
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----',
};

const mustNotAppear = [
  secrets.accessKeySecret,
  secrets.securityToken,
  secrets.webhookSecret,
  secrets.sshPassphrase,
  secrets.dbPassword,
  '0f9e8d7c6b5a49382716a5b4c3d2e1f0aabbccddeeff00112233445566778899',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcHMifQ.c2lnbmF0dXJlLXZhbHVl',
  '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d',
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ',
];

describe('logger redaction', () => {
  it('writes no secret by key, by value, in messages, nested objects, errors or child bindings', () => {
    // Secrets the process learned at load time (credentials, webhook secret) are registered.
    registerSecret(secrets.accessKeySecret);
    registerSecret(secrets.webhookSecret);
    registerSecret(secrets.sshPassphrase);
    for (const pretty of [false, true]) {
      const out = capture();
      const log = createLogger({ destination: out.stream, pretty, color: false, level: 'trace' });

      // By key, at any depth and in any spelling.
      log.info({ accessKeySecret: secrets.accessKeySecret }, 'credentials loaded');
      log.info(
        {
          credentials: {
            AccessKeySecret: secrets.accessKeySecret,
            SecurityToken: secrets.securityToken,
          },
        },
        'sts',
      );
      log.info({ headers: { Authorization: secrets.authorizationHeader } }, 'request');
      log.info({ hook: { env: { DB_PASSWORD: secrets.dbPassword } } }, 'hook env');
      log.info(
        { notify: { webhook_url: secrets.webhookUrl, secret: secrets.webhookSecret } },
        'notifier',
      );
      log.info(
        { ssh: { passphrase: secrets.sshPassphrase, privateKey: secrets.privateKey } },
        'ssh',
      );
      // By value, under innocent keys and inside free text.
      log.info({ detail: `signed with ${secrets.accessKeySecret}` }, 'innocent key');
      log.warn(`calling webhook ${secrets.webhookUrl}`);
      log.warn(`header was ${secrets.authorizationHeader}`);
      log.warn(`token ${secrets.bearer}`);
      log.debug({ output: `key file:\n${secrets.privateKey}` }, 'command output');
      log.error(
        { err: new Error(`auth failed for secret ${secrets.webhookSecret}`) },
        'send failed',
      );
      log.error({ cause: new Error(`passphrase ${secrets.sshPassphrase} rejected`) }, 'ssh failed');
      log
        .child({ secret: secrets.webhookSecret, note: secrets.accessKeySecret })
        .info('child logger');
      log.info(
        { list: [{ token: secrets.securityToken }, `x ${secrets.sshPassphrase} y`] },
        'arrays',
      );

      const text = out.text();
      expect(text.length).toBeGreaterThan(500);
      for (const secret of mustNotAppear) {
        expect(text, `leaked ${secret.slice(0, 12)}… (pretty=${pretty})`).not.toContain(secret);
      }
      expect(text).toContain(REDACTED);
      // Redaction keeps logs useful: identifiers and messages survive.
      expect(text).toContain('credentials loaded');
      expect(text).toContain('LTAI5tEmulatorLocalOnly');
      expect(text).toContain('oapi.dingtalk.com/robot/send');
    }
  });

  it('keeps identifiers whose names merely look secret', () => {
    const masked = redact({
      accessKeyId: 'LTAI5tEmulatorLocalOnly',
      clientToken: 'ct-1',
      SignatureNonce: 'abc',
    });
    expect(masked).toEqual({
      accessKeyId: 'LTAI5tEmulatorLocalOnly',
      clientToken: 'ct-1',
      SignatureNonce: 'abc',
    });
  });

  it('does not change the object it was given', () => {
    const original = { password: 'hunter2-hunter2', nested: { ok: 1 } };
    const masked = redact(original);
    expect(masked.password).toBe(REDACTED);
    expect(original.password).toBe('hunter2-hunter2');
  });

  it('copies an object that appears twice, and cuts only real cycles', () => {
    const shared = { weight: 100 };
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(redact({ a: shared, b: shared, list: [shared, shared] })).toEqual({
      a: { weight: 100 },
      b: { weight: 100 },
      list: [{ weight: 100 }, { weight: 100 }],
    });
    expect(redact(cyclic)).toEqual({ name: 'loop', self: '[Circular]' });
  });

  it('keeps paths and fingerprints of secrets, which are not secrets themselves', () => {
    const ssh = {
      privateKeyPath: '~/.ssh/id_ed25519',
      knownHostsPath: '~/.ssh/known_hosts',
      hostKeyFingerprint: 'SHA256:abc',
    };
    expect(redact(ssh)).toEqual(ssh);
  });
});

describe('registered secrets of any length', () => {
  it('masks a short value wherever it stands on its own, not inside a longer word', () => {
    registerSecret('q7z');
    expect(redactString('mysql --password q7z; curl "token=q7z" -d q7z,x (q7z)')).toBe(
      'mysql --password [REDACTED]; curl "token=[REDACTED]" -d [REDACTED],x ([REDACTED])',
    );
    expect(redactString('q7zq and xq7z and q7z_1 stay')).toBe('q7zq and xq7z and q7z_1 stay');
  });

  it('masks a plain word as a whole word only, and a distinctive value even glued', () => {
    registerSecret('kernel');
    registerSecret('Pw7-x1');
    expect(redactString('yum update kernel; kernels kernel-3.10')).toBe(
      'yum update [REDACTED]; kernels [REDACTED]-3.10',
    );
    expect(redactString('mysql -pPw7-x1 and xPw7-x1y')).toBe('mysql -p[REDACTED] and x[REDACTED]y');
  });

  it('masks a secret variable drainctl reads whatever its length, one secret by name only from 6', () => {
    registerSecretsFromEnv({
      DRAINCTL_DINGTALK_APP_SECRET: 'w9k',
      FEATURE_TOKEN: '2',
      APP_PASSWORD: 'hunter',
    });
    expect(redactString('signed with w9k, batch 2 of 2, hunter')).toBe(
      `signed with ${REDACTED}, batch 2 of 2, ${REDACTED}`,
    );
  });

  it('masks the longer of two secrets that overlap', () => {
    registerSecret('ab');
    registerSecret('ab cd');
    expect(redactString('x ab cd y')).toBe('x [REDACTED] y');
  });

  it('keeps identifiers a plain-word secret merely resembles, where asked', () => {
    registerSecret('web');
    expect(
      redact({ node: 'i-web-1', detail: 'web' }, { identifierKeys: new Set(['node']) }),
    ).toEqual({ node: 'i-web-1', detail: REDACTED });
  });

  it('keeps JSON text a document when a secret is a number or a keyword', () => {
    registerSecret('1');
    registerSecret('true');
    const json = JSON.stringify({ count: 1, ok: true, note: 'step 1 is true', '1': 'k' });
    const masked = redactJsonText(json);
    expect(JSON.parse(masked)).toEqual({
      count: 1,
      ok: true,
      note: `step ${REDACTED} is ${REDACTED}`,
      [REDACTED]: 'k',
    });
  });

  it('writes the level and time of a log record as pino made them', () => {
    registerSecret('info');
    const out = capture();
    const log = createLogger({ destination: out.stream, pretty: false, level: 'info' });
    log.info('some info');
    const record = JSON.parse(out.text()) as { level: string; time: string; msg: string };
    expect(record.level).toBe('info');
    expect(Number.isNaN(Date.parse(record.time))).toBe(false);
    expect(record.msg).toBe(`some ${REDACTED}`);
  });
});
