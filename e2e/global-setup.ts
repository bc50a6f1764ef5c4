// Starts the test server for the browser tests: the repository root is served, so pages
// reach /dist/, /fixtures/media/ and /e2e/pages/. Port 8765 serves with COOP/COEP;
// port 8766 serves the same files without cross-origin isolation. KITHARA_E2E_PORT moves both
// (to run two suites side by side).
import { startServer } from './server/test-server.mjs';
import { E2E_PORT } from './lib/port.js';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = process.cwd();
  const coi = await startServer({ root, port: E2E_PORT, coi: true });
  const plain = await startServer({ root, port: E2E_PORT + 1, coi: false });
  return async () => {
    await coi.close();
    await plain.close();
  };
}
