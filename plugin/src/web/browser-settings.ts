/** SettingsStore over localStorage, in UXP and browsers; falls back to memory where storage is refused. */
import { memorySettings, type SettingsStore } from '../panel-controller';

export function localStorageSettings(): SettingsStore {
  try {
    const storage = globalThis.localStorage;
    if (!storage) return memorySettings();
    return {
      get: (key) => storage.getItem(key),
      set: (key, value) => storage.setItem(key, value),
    };
  } catch {
    return memorySettings();
  }
}
