/**
 * What a product (SLB, Alidns, ECS) gives the dispatcher: its API version, the host its errors
 * name, and one handler per action, named after the action.
 */
import type { Params } from './params.js';

export type ProductName = 'slb' | 'dns' | 'ecs';

export interface HandlerInput<C> {
  params: Params;
  ctx: C;
  requestId: string;
}

/** Returns the response body without RequestId (the dispatcher adds it). */
export type Handler<C> = (
  input: HandlerInput<C>,
) => Promise<Record<string, unknown>> | Record<string, unknown>;

export interface Product<C> {
  name: ProductName;
  /** Product code as the troubleshooting link names it (Slb, Alidns, Ecs). */
  code: string;
  version: string;
  /** HostId in error bodies. */
  hostId: string;
  handlers: Readonly<Record<string, Handler<C>>>;
}
