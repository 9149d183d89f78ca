export * from './fdt.js';
export * from './chosen.js';
export * from './crash-props.js';
