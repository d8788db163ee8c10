/**
 * How serve writes a state file under DRAINCTL_HOME: the whole file or the old one, never a
 * torn one. A crash mid-write leaves the old file whole (the rename is the commit), and the data
 * is synced before the rename, so after a power cut the name points at whole data.
 */
import { open, rename } from 'node:fs/promises';

export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    await file.writeFile(`${JSON.stringify(value, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
}
