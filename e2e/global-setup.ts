// Starts the test server for the browser tests: the repository root is served, so pages
// reach /dist/, /fixtures/media/ and /e2e/pages/. Port 8765 serves with COOP/COEP;
// port 8766 serves the same files without cross-origin isolation.
import { startServer } from './server/test-server.mjs';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = process.cwd();
  const coi = await startServer({ root, port: 8765, coi: true });
  const plain = await startServer({ root, port: 8766, coi: false });
  return async () => {
    await coi.close();
    await plain.close();
  };
}
