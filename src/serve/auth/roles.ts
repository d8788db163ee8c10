/**
 * What each role may do: the one table every route asks. Starting and approving are kept apart,
 * so the person who approves a changed plan need not be the one who may start runs.
 */
import type { Role } from '../config/index.js';

export type Permission = 'read' | 'operate' | 'approve';

const GRANTS: Record<Role, readonly Permission[]> = {
  viewer: ['read'],
  operator: ['read', 'operate'],
  approver: ['read', 'approve'],
};

export function mayDo(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
