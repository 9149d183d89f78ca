// Generates a large, realistic GRUB root for benchmarks: a grub.cfg with `entries` menuentries
// (00_header-style env handling, functions, submenus) that ends in `blscfg`, plus `bls` BLS
// entry files and a grubenv whose saved_entry names a BLS id; /boot is inside / (paths
// /boot/...). Kernel and initrd files are NOT created (add a real or fake image if a caller
// validates them). Reusable:
//   import { generateGrubRoot } from './lib/gen-grub.mjs'; generateGrubRoot(dir)
// or: node bench/lib/gen-grub.mjs <outdir> [entries] [bls]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const MID = '0123456789abcdef0123456789abcdef';
const UUID = '3f6c1b0e-5a7d-4c2b-9e1f-1234567890ab';

function header() {
  return `### BEGIN /etc/grub.d/00_header ###
set pager=1
if [ -f \${config_directory}/grubenv ]; then
  load_env -f \${config_directory}/grubenv
elif [ -s $prefix/grubenv ]; then
  load_env
fi
if [ "\${next_entry}" ] ; then
   set default="\${next_entry}"
   set next_entry=
   save_env next_entry
   set boot_once=true
else
   set default="\${saved_entry}"
fi
if [ x"\${feature_menuentry_id}" = xy ]; then
  menuentry_id_option="--id"
else
  menuentry_id_option=""
fi
export menuentry_id_option
function savedefault {
  if [ -z "\${boot_once}" ]; then
    saved_entry="\${chosen}"
    save_env saved_entry
  fi
}
function load_video {
  insmod all_video
}
terminal_output console
set timeout=5
### END /etc/grub.d/00_header ###
`;
}

function entry(i, indent = '') {
  const v = `5.${Math.floor(i / 100)}.${i % 100}-${i}.fc40.x86_64`;
  return `${indent}menuentry 'Generated Linux ${v}' --class fedora --class gnu-linux $menuentry_id_option 'gnulinux-${v}-advanced-${UUID}' {
${indent}\tload_video
${indent}\tset gfxpayload=keep
${indent}\tinsmod gzio
${indent}\tinsmod part_gpt
${indent}\tinsmod ext2
${indent}\tif [ x$feature_platform_search_hint = xy ]; then
${indent}\t  true
${indent}\tfi
${indent}\techo 'Loading Linux ${v} ...'
${indent}\tlinux /boot/vmlinuz-${v} root=UUID=${UUID} ro rhgb quiet "acpi_osi=Windows 2015"
${indent}\tinitrd /boot/intel-ucode.img /boot/initramfs-${v}.img
${indent}}
`;
}

/** Writes the tree under `dir`; returns the paths and the expected default. */
export function generateGrubRoot(dir, entries = 2000, bls = 500) {
  const grubDir = join(dir, 'boot/grub2');
  const blsDir = join(dir, 'boot/loader/entries');
  mkdirSync(grubDir, { recursive: true });
  mkdirSync(blsDir, { recursive: true });
  const parts = [header(), `set kernelopts="root=UUID=${UUID} ro"\n`];
  const perSub = 50;
  const top = Math.floor(entries / 2);
  for (let i = 0; i < top; i++) parts.push(entry(i));
  for (let i = top; i < entries; i += perSub) {
    parts.push(`submenu 'Advanced options ${i}' $menuentry_id_option 'gnulinux-advanced-${i}' {\n`);
    for (let j = i; j < Math.min(entries, i + perSub); j++) parts.push(entry(j, '\t'));
    parts.push('}\n');
  }
  parts.push('insmod blscfg\nblscfg\n');
  writeFileSync(join(grubDir, 'grub.cfg'), parts.join(''));
  let saved = '';
  for (let i = 0; i < bls; i++) {
    const v = `6.${Math.floor(i / 50)}.${i % 50}-${100 + i}.fc40.x86_64`;
    const id = `${MID}-${v}`;
    if (i === Math.floor(bls / 2)) saved = id;
    writeFileSync(
      join(blsDir, `${id}.conf`),
      `title Fedora Linux (${v}) 40 (Workstation Edition)\nversion ${v}\nlinux /boot/vmlinuz-${v}\ninitrd /boot/initramfs-${v}.img $tuned_initrd\n` +
        `options $kernelopts $tuned_params\ngrub_users $grub_users\ngrub_arg --unrestricted\ngrub_class fedora\n`,
    );
  }
  const env = `# GRUB Environment Block\nsaved_entry=${saved}\nkernelopts=root=UUID=${UUID} ro rhgb quiet\nboot_success=0\n`;
  writeFileSync(join(grubDir, 'grubenv'), env + '#'.repeat(Math.max(0, 1024 - env.length)));
  // What `kexecctl plan --root` reads besides GRUB (Debian defaults, the running cmdline).
  mkdirSync(join(dir, 'etc/default'), { recursive: true });
  mkdirSync(join(dir, 'proc'), { recursive: true });
  writeFileSync(join(dir, 'etc/default/kexec'), 'LOAD_KEXEC=true\nUSE_GRUB_CONFIG=true\n');
  writeFileSync(join(dir, 'proc/cmdline'), `BOOT_IMAGE=(hd0,gpt2)/boot/vmlinuz-x root=UUID=${UUID} ro\n`);
  return { configPath: '/boot/grub2/grub.cfg', grubenv: '/boot/grub2/grubenv', savedEntry: saved, entries, bls };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [out, n, b] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node bench/lib/gen-grub.mjs <outdir> [entries=2000] [bls=500]');
    process.exit(2);
  }
  console.log(JSON.stringify(generateGrubRoot(out, Number(n ?? 2000), Number(b ?? 500))));
}
