/**
 * The token's store in Premiere: a {@link SecretStore} over UXP's `storage.secureStorage` (passed in, so this file
 * needs no UXP import and the fake Premiere reuses it over its own secureStorage).
 */
import type { SecretStore } from './host';

/**
 * The part of UXP's `storage.secureStorage` we use (cc-ext-uxp-types 7.3). *Note*: getItem resolves bytes (a
 * Uint8Array) and UXP has no TextDecoder; setItem rejects an empty value; removeItem rejects a missing key.
 */
export interface SecureStorageLike {
  getItem(key: string): Promise<Uint8Array | null | undefined>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

/** A SecretStore over UXP secureStorage: encrypted for this OS user, unlike localStorage (UXP docs: never keep secrets there). */
export function secretsOverSecureStorage(storage: SecureStorageLike): SecretStore {
  return {
    async get(key) {
      let bytes: Uint8Array | null | undefined;
      try {
        bytes = await storage.getItem(key);
      } catch {
        return null; // a missing key rejects on some builds
      }
      if (!bytes || bytes.length === 0) return null;
      // The token is ASCII (hex digits): no TextDecoder needed, which UXP lacks.
      let text = '';
      for (const byte of bytes) text += String.fromCharCode(byte);
      return text;
    },
    async set(key, value) {
      if (value === '') {
        await storage.removeItem(key).catch(() => {});
        return;
      }
      await storage.setItem(key, value);
    },
    async remove(key) {
      await storage.removeItem(key).catch(() => {}); // rejects when the key is not there
    },
  };
}
