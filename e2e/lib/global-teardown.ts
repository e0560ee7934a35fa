import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

// Removes the fleet's temporary data directory made by playwright.config.ts.
export default function globalTeardown() {
  const dir = process.env.ONETIP_E2E_DATA_DIR;
  if (dir && dir.startsWith(tmpdir())) rmSync(dir, { recursive: true, force: true });
}
