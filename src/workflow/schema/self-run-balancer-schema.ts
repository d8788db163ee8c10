/**
 * `loadBalancer.nginx`, `loadBalancer.haproxy` and `loadBalancer.keepalived`: load balancers
 * (and a VRRP pair) you run yourself, in front of the run's servers instead of (or behind) an SLB — the hosts they run on, the file or socket
 * drainctl changes, and which server there is which of the run's servers.
 */
import { z } from 'zod';
import { isIpv4 } from '../cidr.js';
import { sshSettingsSchema } from './access-schema.js';
import { absolutePath, commandText, instanceId, port, seconds } from './common-schema.js';

/** `local` (this machine) or a machine reached over SSH. */
export const balancerHostSchema = z
  .union(
    [
      z.literal('local'),
      sshSettingsSchema.extend({
        user: z.string({ error: 'an SSH user' }).min(1).meta({ description: 'Login user.' }),
        address: z
          .string({ error: 'a host name or IP address' })
          .min(1)
          .meta({ description: 'Host name or IP address of the balancer host.' }),
      }),
    ],
    { error: 'local, or {address, user, port, privateKey, knownHosts | hostKeyFingerprint}' },
  )
  .meta({ description: 'local (this machine), or SSH settings with the host address.' });

export const nginxBalancerSchema = z
  .strictObject({
    hosts: z
      .array(balancerHostSchema, { error: 'a list of nginx hosts' })
      .min(1, { error: 'at least one nginx host' })
      .meta({
        description:
          'Every nginx host in front of the servers; each change is written, tested and reloaded on all of them together.',
      }),
    configFile: absolutePath('The file holding the upstream block (the same path on every host).'),
    upstream: z
      .string({ error: 'an upstream name' })
      .regex(/^[\w.-]+$/, { error: 'an upstream name' })
      .meta({ description: 'The upstream block whose server lines drainctl changes.' }),
    command: z.string().min(1).default('nginx').meta({
      description: 'How to call nginx there, with -c/-p when it does not use its defaults.',
    }),
    pidFile: absolutePath("The master's pid file (nginx's pid directive).").default(
      '/run/nginx.pid',
    ),
    port: port(
      "The servers' port in the upstream: a server is matched by the line `server <privateIp>:<port>`.",
    ).optional(),
    servers: z
      .record(instanceId, z.string().min(1), { error: 'instance id → address:port' })
      .default({})
      .meta({
        description:
          'Server lines by instance id, exactly as written in the file (address:port), where privateIp:port does not match.',
      }),
    reloadTimeoutSeconds: seconds(
      'How long the new workers may take to start after a reload.',
    ).default(30),
  })
  .meta({ description: 'An nginx upstream (kind: nginx).' });

export const haproxyBalancerSchema = z
  .strictObject({
    host: balancerHostSchema.default('local'),
    statsSocket: absolutePath(
      'The stats socket (declared `stats socket … level admin`); on an SSH host, socat must be installed there.',
    ),
    backend: z
      .string({ error: 'a backend name' })
      .min(1)
      .meta({ description: 'The backend whose servers drainctl drains and weighs.' }),
    servers: z
      .record(instanceId, z.string().min(1), { error: 'instance id → HAProxy server name' })
      .meta({ description: 'The HAProxy server name of each of the run’s servers.' }),
    maintAfterSeconds: seconds(
      'How long a drained server may hold open sessions before it is left in drain instead of maint.',
    ).default(300),
  })
  .meta({ description: 'An HAProxy backend through its runtime API (kind: haproxy).' });

/** One node of a keepalived pair: where its keepalived runs and how it is started again. */
export const keepalivedNodeSchema = z
  .strictObject({
    host: balancerHostSchema.default('local'),
    netns: z
      .string({ error: 'a network namespace name' })
      .regex(/^[\w.-]+$/, { error: 'a network namespace name' })
      .optional()
      .meta({
        description:
          'The network namespace keepalived runs in on that host: commands run under `ip netns exec <netns>`.',
      }),
    pidFile: absolutePath("keepalived's main pid file (its -p option).").default(
      '/run/keepalived.pid',
    ),
    start: commandText.default('systemctl start keepalived').meta({
      description: 'How keepalived is started again on that node once it is patched.',
    }),
  })
  .meta({ description: 'A keepalived node: its host and how keepalived runs there.' });

export const keepalivedBalancerSchema = z
  .strictObject({
    vip: z
      .string({ error: 'an IPv4 address' })
      .refine(isIpv4, { error: 'an IPv4 address' })
      .meta({ description: 'The virtual IP address the pair moves between its nodes.' }),
    port: port('Where the service answers on the VIP (a TCP connection proves the holder).'),
    nodes: z
      .record(instanceId, keepalivedNodeSchema, { error: 'instance id → keepalived node' })
      .meta({ description: 'The two nodes of the pair, by instance id.' }),
    moveBack: z.boolean({ error: 'true or false' }).default(false).meta({
      description:
        'Once the node that held the VIP is back, wait until the VIP is on it again (needs preempt, the default, and the higher priority there). false: it comes back as BACKUP if the pair is configured with nopreempt.',
    }),
    quietSeconds: seconds(
      'Before the VIP moves, how long to wait for a moment with no connection open to the VIP on the node holding it; then it moves anyway.',
    ).default(10),
    moveTimeoutSeconds: seconds(
      'How long the other node may take to hold the VIP and answer on it (and a node to start).',
    ).default(30),
  })
  .meta({ description: 'A keepalived (VRRP) active/standby pair (kind: keepalived).' });

export type BalancerHostSpec = z.output<typeof balancerHostSchema>;
export type NginxBalancerSpec = z.output<typeof nginxBalancerSchema>;
export type HaproxyBalancerSpec = z.output<typeof haproxyBalancerSchema>;
export type KeepalivedBalancerSpec = z.output<typeof keepalivedBalancerSchema>;
export type KeepalivedNodeSpec = z.output<typeof keepalivedNodeSchema>;
