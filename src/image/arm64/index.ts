export * from './image-plan.js';
export * from './plan-check.js';
export * from './trampoline.js';
export * from './crash-plan.js';
