/**
 * `access`: how drainctl reaches a server's shell — ECS Cloud Assistant by instance id
 * (default), or SSH (for servers outside the cloud, or by choice) — as a default with per-server
 * overrides. Used by patch, verify, hooks on the host, and access logs read over SSH.
 */
import { z } from 'zod';
import { instanceId, port } from './common-schema.js';

export const sshSettingsSchema = z
  .strictObject({
    user: z.string().min(1).optional().meta({ description: 'Login user.' }),
    port: port('SSH port (default 22).').optional(),
    address: z.string().min(1).optional().meta({
      description: 'privateIp (default), publicIp, or a literal host name or IP address.',
    }),
    privateKey: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Path of the private key file (never the key itself).' }),
    knownHosts: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'known_hosts file the host key is checked against.' }),
    hostKeyFingerprint: z
      .string()
      .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, { error: 'a host key fingerprint like SHA256:…' })
      .optional()
      .meta({ description: 'Pinned host key (SHA256:…), instead of known_hosts.' }),
  })
  .meta({
    description: 'SSH settings; a host key must be verifiable (knownHosts or fingerprint).',
  });

const nodeAccessSchema = z.strictObject({
  via: z.enum(['ecs', 'ssh'], { error: 'ecs or ssh' }).optional(),
  ssh: sshSettingsSchema.optional(),
});

export const accessSchema = z
  .strictObject({
    via: z
      .enum(['ecs', 'ssh'], { error: 'ecs or ssh' })
      .default('ecs')
      .meta({ description: 'ecs: Cloud Assistant (default); ssh: see ssh.' }),
    ssh: sshSettingsSchema.optional(),
    nodes: z
      .record(instanceId, nodeAccessSchema, { error: 'per-server settings by instance id' })
      .default({})
      .meta({ description: 'Per-server overrides of via and ssh, by instance id.' }),
  })
  .meta({ description: 'How drainctl runs commands on a server.' });

export type AccessSpec = z.output<typeof accessSchema>;
export type SshSettingsSpec = z.output<typeof sshSettingsSchema>;
