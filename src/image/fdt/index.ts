export * from './fdt.js';
export * from './chosen.js';
