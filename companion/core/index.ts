/** companion/core: pure TypeScript, no node:* imports. */
export * from './rational';
export * from './timecode';
export * from './timeline';
export * from './montage';
export * from './errors';
export * from './lifecycle';
export * from './pipeline';
export * from './objects';
