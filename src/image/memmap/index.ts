export * from './range.js';
export * from './firmware-memmap.js';
export * from './iomem.js';
export * from './allocate.js';
