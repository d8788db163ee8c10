/**
 * `loadBalancer.nginx` and `loadBalancer.haproxy`: load balancers you run yourself, in front of
 * the run's servers instead of (or behind) an SLB — the hosts they run on, the file or socket
 * drainctl changes, and which server there is which of the run's servers.
 */
import { z } from 'zod';
import { sshSettingsSchema } from './access-schema.js';
import { absolutePath, instanceId, port, seconds } from './common-schema.js';

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

export type BalancerHostSpec = z.output<typeof balancerHostSchema>;
export type NginxBalancerSpec = z.output<typeof nginxBalancerSchema>;
export type HaproxyBalancerSpec = z.output<typeof haproxyBalancerSchema>;
