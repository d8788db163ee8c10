/**
 * `serve.yaml`: its schema (pure), its JSON Schema for editors and `drainctl schema serve`, and
 * the loader that reads, interpolates and checks it.
 */
import { jsonSchemaText } from '../../workflow/index.js';
import { serveConfigSchema } from './serve-schema.js';

export { type ApiToken, loadServeConfig, type ServeConfig, sha256Of } from './load-serve-config.js';
export {
  alertGateSectionSchema,
  ROLES,
  type Role,
  type ServeConfigDocument,
  scheduleSectionSchema,
  serveConfigSchema,
} from './serve-schema.js';

/** The JSON Schema of `serve.yaml`, as `drainctl schema serve` prints it. */
export function serveJsonSchemaText(): string {
  return jsonSchemaText(serveConfigSchema);
}
