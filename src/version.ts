declare const __KEXECCTL_VERSION__: string;
export const VERSION: string = typeof __KEXECCTL_VERSION__ === 'string' ? __KEXECCTL_VERSION__ : '0.0.0-dev';
