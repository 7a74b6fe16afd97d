/**
 * The WebSocket addresses the Premiere panel may open: the ws:// entries of manifest.json's
 * requiredPermissions.network.domains (a test keeps the two equal). UXP refuses any other address, so the client
 * checks first and says why instead of "not running". The panel itself sends nothing over http://, which macOS
 * blocks in UXP; the manifest's http:// entries serve Windows only (images from the companion).
 */
export const MANIFEST_SOCKET_ORIGINS = ['ws://127.0.0.1:7391', 'ws://localhost:7391'] as const;
