import { describe, expect, it } from 'vitest';
import { findSecretPatterns, isSecretKey, REDACTED, redact, redactString } from '#src/log/index.js';

describe('secret keys are whole words at the end of a key', () => {
  it.each([
    'password',
    'DB_PASSWORD',
    'dbPassword',
    'DB_PASS',
    'MYSQL_PWD',
    'PGPASSWORD',
    'token',
    'authToken',
    'X-Auth-Token',
    'SecurityToken',
    'secret',
    'client_secret',
    'AccessKeySecret',
    'access_key_secret',
    'AWS_SECRET_ACCESS_KEY',
    'apiKey',
    'X-Api-Key',
    'privateKey',
    'passphrase',
    'Authorization',
    'Signature',
    'webhook_url',
    'credentials',
    'cookie',
  ])('%s is secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each([
    'credentialSource',
    'tokens',
    'tokenizer',
    'tokenizerX',
    'passwordPolicy',
    'secretName',
    'authorizationMode',
    'cookieDomain',
    'apiKeyName',
    'signatureVersion',
    'SignatureNonce',
    'x-acs-signature-nonce',
    'accessKeyId',
    'clientToken',
    'privateKeyPath',
    'hostKeyFingerprint',
    'PWD',
    'bypass',
    'SUDO_ASKPASS',
  ])('%s is not secret', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });

  it('leaves innocent keys readable in redacted objects (the review found them masked)', () => {
    const innocent = {
      credentialSource: 'default/env',
      tokens: 3,
      passwordPolicy: 'strong',
      secretName: 'db',
      authorizationMode: 'ram',
      cookieDomain: 'x',
      apiKeyName: 'k',
      signatureVersion: '1.0',
      tokenizerX: 1,
    };
    expect(redact(innocent)).toEqual(innocent);
    expect(redact({ dbPassword: 'hunter2hunter2', nested: { X_API_KEY: 'k1' } })).toEqual({
      dbPassword: REDACTED,
      nested: { X_API_KEY: REDACTED },
    });
  });
});

describe('Bearer and Basic credentials', () => {
  it('are masked in any letter case, with or without an Authorization header', () => {
    for (const text of [
      'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.c2ln',
      'authorization: bearer eyJhbGciOiJIUzI1NiJ9.c2ln',
      'AUTHORIZATION=BEARER eyJhbGciOiJIUzI1NiJ9.c2ln',
      'sent bearer eyJhbGciOiJIUzI1NiJ9.c2ln',
      'sent BASIC dXNlcjpwYXNzd29yZA==',
      'Authorization: token ghp_abcdef123456',
    ]) {
      const masked = redactString(text);
      expect(masked, text).toContain(REDACTED);
      expect(masked, text).not.toMatch(/eyJhbGci|dXNlcjpw|ghp_abcdef/);
    }
  });

  it('and a credential-shaped word after token, password or secret, are masked too', () => {
    expect(redactString('echo host hook token MARK_HOSTLIT_13')).toBe(
      'echo host hook token [REDACTED]',
    );
    expect(redactString('login with password Hunter2Hunter')).toBe(
      'login with password [REDACTED]',
    );
  });

  it('leave prose alone', () => {
    for (const text of [
      'basic auth disabled; Basic checks pass',
      'Bearer tokens are accepted',
      'BASIC AUTH is off',
      'the token expired; password policy is strong; secret rotation done',
    ]) {
      expect(redactString(text)).toBe(text);
    }
  });
});

describe('a secret name followed by a colon', () => {
  it('masks the value of a header or a field, quoted or at the end', () => {
    expect(redactString('X-Api-Key: abc')).toBe('X-Api-Key: [REDACTED]');
    expect(redactString("curl -H 'X-Api-Key: abcdef' https://h/")).toBe(
      "curl -H 'X-Api-Key: [REDACTED]' https://h/",
    );
    expect(redactString('password: hunter2 was refused')).toBe('password: [REDACTED] was refused');
    expect(redactString('token=abc def')).toBe('token=[REDACTED] def');
  });

  it('leaves a sentence alone: a plain word followed by more words is prose', () => {
    for (const text of [
      'Point drainctl at it (credentials: the emulator key pair of .env.example):',
      'token: expired for user ops',
    ]) {
      expect(redactString(text)).toBe(text);
    }
  });
});

describe('URLs keep everything but their secret parts', () => {
  it.each([
    [
      'https://ecs.aliyuncs.com/?Action=DescribeInstances&Signature=abc%3D&SignatureNonce=n1&AccessKeyId=LTAI5t',
      'https://ecs.aliyuncs.com/?Action=DescribeInstances&Signature=[REDACTED]&SignatureNonce=n1&AccessKeyId=LTAI5t',
    ],
    [
      'GET https://x.example/cb?region=cn&access_key_secret=s3cr3t&page=2',
      'GET https://x.example/cb?region=cn&access_key_secret=[REDACTED]&page=2',
    ],
    [
      'check http://10.0.0.1:8080/healthz?token=abc123&verbose=1',
      'check http://10.0.0.1:8080/healthz?token=[REDACTED]&verbose=1',
    ],
    [
      'https://oapi.dingtalk.com/robot/send?access_token=xyz',
      'https://oapi.dingtalk.com/robot/send?access_token=[REDACTED]',
    ],
    [
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=[REDACTED]',
    ],
    ['https://user:p4ssw0rd123@example.com/hook', 'https://user:[REDACTED]@example.com/hook'],
    [
      'https://discord.com/api/webhooks/123/abcdefTOKEN',
      'https://discord.com/api/webhooks/123/[REDACTED]',
    ],
    ['http://127.0.0.1:8080/healthz?verbose=1', 'http://127.0.0.1:8080/healthz?verbose=1'],
  ])('%s', (text, expected) => {
    expect(redactString(text)).toBe(expected);
  });
});

describe('literal secrets in commands', () => {
  it.each([
    ['export API_SECRET=lit3ral && make', 'export API_SECRET=[REDACTED] && make'],
    ['PGPASSWORD=hunter2hunter2 psql', 'PGPASSWORD=[REDACTED] psql'],
    ["mysql -uroot -pS3cretPass -e 'select 1'", "mysql -uroot -p[REDACTED] -e 'select 1'"],
    ['mysqladmin --password=S3cret ping', 'mysqladmin --password=[REDACTED] ping'],
    ['app --token "abc def" --verbose', 'app --token "[REDACTED]" --verbose'],
    [
      "curl -H 'X-Api-Key: k3y-value' -u admin:pw12345 http://h/",
      "curl -H 'X-Api-Key: [REDACTED]' -u admin:[REDACTED] http://h/",
    ],
    ['sshpass -p hunter2 ssh web-1', 'sshpass -p [REDACTED] ssh web-1'],
    [
      'aliyun configure --access-key-id LTAI5tEmulatorLocalOnly --access-key-secret Ab3dEfGh1jKlMn0pQrStUvWxYz1234',
      'aliyun configure --access-key-id LTAI5tEmulatorLocalOnly --access-key-secret [REDACTED]',
    ],
    ['echo Ab3dEfGh1jKlMn0pQrStUvWxYz1234', `echo ${REDACTED}`],
    [
      '{"password": "x1", "passwordPolicy": "strong"}',
      '{"password": "[REDACTED]", "passwordPolicy": "strong"}',
    ],
  ])('%s', (text, expected) => {
    expect(redactString(text)).toBe(expected);
    expect(findSecretPatterns(text).length).toBeGreaterThan(0);
  });

  it.each([
    'mysql --password="$DB_PASSWORD" -p$MYSQL_PW --password-file /etc/pw',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow reference, literally
    'echo DB_PASSWORD=${DB_PASSWORD}',
    'yum update kernel -y && uname -r',
    'mysql -p mydb -e "select 1"',
    'Wait until web-1 passes HTTP 127.1.2.11:8080/healthz → 200 3 times in a row',
    'lb-rmk3gucttki7ovvicc4hxg i-bp1abcdefghijklmnopq 0f9e8d7c6b5a49382716a5b4c3d2e1f0aabbccddeeff0011',
  ])('leaves %s alone (references and ids are not secrets)', (text) => {
    expect(redactString(text)).toBe(text);
    expect(findSecretPatterns(text)).toEqual([]);
  });
});
