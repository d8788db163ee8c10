/**
 * A port whose adapter is built on its first call. Every method of the cloud ports returns a
 * promise, so a call can wait for the adapter (and the SDK behind it) to load without the port
 * changing shape: a command that never calls Alidns never loads the Alidns SDK.
 */

type AsyncMethod = (...args: never[]) => Promise<unknown>;

/**
 * `port` stands in for the adapter `load` builds, once, on the first call of any of `methods`
 * (every method of the port, checked by the compiler: a Record of its keys).
 */
export function loadedOnFirstCall<T extends { [K in keyof T]: AsyncMethod }>(
  methods: Record<keyof T, true>,
  load: () => Promise<T>,
): T {
  let loading: Promise<T> | undefined;
  const port: Partial<Record<keyof T, AsyncMethod>> = {};
  for (const method of Object.keys(methods) as (keyof T)[]) {
    port[method] = async (...args: never[]) => {
      loading ??= load();
      const adapter = await loading;
      return (adapter[method] as AsyncMethod).apply(adapter, args);
    };
  }
  return port as T;
}
