export { parseKernelImage, KERNEL_HEADER_BYTES, type KernelImageInfo, type KernelImageFormat } from './kernel-image.js';
export { checkCmdlineFits, cmdlineFit, MAX_ELFCOREHDR_STR_LEN, type CmdlineFit } from './cmdline-fit.js';
