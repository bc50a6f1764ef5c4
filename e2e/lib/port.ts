/** The test server's port (with COOP/COEP); the port after it serves without isolation. */
export const E2E_PORT = Number(process.env.KITHARA_E2E_PORT ?? 8765);
