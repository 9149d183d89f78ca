/** kexec --help and --version texts: kexec-tools' option list, in our words. */
import { VERSION } from '../../version.js';

/** The kexec-tools release whose command line we follow. */
export const KEXEC_TOOLS_COMPAT = '2.0.27';

export function versionText(): string {
  return `kexec-tools ${KEXEC_TOOLS_COMPAT} (kexecctl ${VERSION})\n`;
}

export function usageText(): string {
  return `${versionText()}Usage: kexec [OPTION]... [kernel]
Load a kernel and boot straight into it, without firmware and boot loader.

 -h, --help              Show this help.
 -v, --version           Show the version.
 -f, --force             Load and boot at once, without running shutdown.
 -i, --no-checks         Accepted for compatibility (no effect with kexec_file_load).
 -x, --no-ifdown         Leave network interfaces up before the jump.
 -y, --no-sync           Do not sync file systems before the jump.
 -l, --load              Load the kernel, to be booted later with -e.
 -p, --load-panic        Load the kernel to boot on a panic (crash kernel).
 -u, --unload            Unload the loaded kernel (with -p: the crash kernel).
 -e, --exec              Boot the loaded kernel now.
 -t, --type=TYPE         With kexec_load: refuse the file unless it is of this type
                         (bzImage64, bzImage, Image, ...). Ignored by kexec_file_load.
 -s, --kexec-file-syscall   Use kexec_file_load only.
 -c, --kexec-syscall        Use kexec_load only.
 -a, --kexec-syscall-auto   Use kexec_file_load, then kexec_load when the kernel has no
                            kexec_file_load or did not understand the image (default).
 -d, --debug             Show each system call as it is made.
 -S, --status            Exit 1 if the kernel (by default the crash kernel) is loaded,
                         0 if not.
     --print-ckr-size    Print the size of the crash kernel reservation.

Options when loading:
     --command-line=STRING, --append=STRING
                         The new kernel's command line (the last one given wins).
     --reuse-cmdline     Start from this kernel's command line, without BOOT_IMAGE=
                         (and, with -p, without crashkernel=).
     --initrd=FILE, --ramdisk=FILE
                         Initial ramdisk (given twice, the last one wins).
     --extra-initrd=FILE (kexecctl) Another ramdisk, concatenated after --initrd;
                         repeat for more.
     --verify            (kexecctl) Decompress the kernel and check its payload
                         before loading; a damaged kernel is refused.
     --hotplug           Crash kernel updated on CPU/memory hotplug (checks
                         /sys/kernel/crash_elfcorehdr_size).
     --no-cma, --force-dtb   KEXEC_FILE_NO_CMA / KEXEC_FILE_FORCE_DTB.
     --mem-min=ADDR, --mem-max=ADDR, --entry=ADDR, --dtb=FILE, --reset-vga,
     --serial=PORT, --serial-baud=BAUD, --console-vga, --console-serial,
     --elf32-core-headers, --elf64-core-headers, --pass-memmap-cmdline, --noefi,
     --reuse-video-type, --args-linux, --args-elf, --args-none, --module=FILE
                         Accepted as kexec-tools does; no effect on kexec_file_load
                         (-d says so).
     --real-mode, --entry-32bit
                         Refused with kexec_file_load, as kexec-tools does.

Without -l, -p, -u or -e, kexec loads the kernel and then runs "shutdown -r now".
Operands after the kernel are ignored (with a warning).
`;
}
