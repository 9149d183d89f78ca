/** Public surface of the GRUB evaluator. */
export { evaluateGrub } from './evaluate.js';
export { entryBoot, expandMenu } from './menu-expand.js';
export { grubCmdline, grubQuoteArg } from './cmdline.js';
export { parseGrubenv } from './grubenv.js';
export { parseBlsEntry, blsFirst, blsAll, type BlsEntry } from './bls-entry.js';
export { rpmvercmp, blsIdCompare } from './rpmvercmp.js';
export { defaultIndex, menuentryEq, restAfterFirst } from './default-entry.js';
export { parseGrubNumber } from './number.js';
export { selectPath } from './select.js';
export { deviceOf } from './files.js';
export type * from './types.js';
