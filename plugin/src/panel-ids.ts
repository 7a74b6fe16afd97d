/** Ids shared by manifest.json and the code that registers them (a test keeps the two equal). */
export const PLUGIN_ID = 'com.automontage.premiere';
/** The panel entrypoint id: manifest `entrypoints[0].id` and the key given to `entrypoints.setup({ panels })`. */
export const PANEL_ID = 'automontage.panel';
