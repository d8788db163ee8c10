/**
 * ioredis, behind a module of its own that connection.ts imports on first use. A static named
 * import, because a dynamic `import('ioredis')` of this CommonJS package has `Redis` on its
 * namespace under Node but only `default` once bundled into dist/.
 */
export { Redis } from 'ioredis';
