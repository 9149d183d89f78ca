/** grub-mkconfig-shaped configs (Ubuntu 22.04, RHEL 8 ESP stub + BLS) through the evaluator. */
import { describe, expect, it } from 'vitest';
import { grubCmdline } from '../../../../src/boot/grub/cmdline.js';
import type { BootSpec } from '../../../../src/boot/grub/types.js';
import { run } from './helpers.js';

const U = '7d3f2a10-1111-4222-8333-944455556666';
const SIG = '# GRUB Environment Block\n';

const ubuntuEntry = (
  ver: string,
  id: string,
  indent: string,
): string => `${indent}menuentry 'Ubuntu, with Linux ${ver}' --class ubuntu $menuentry_id_option '${id}' {
${indent}	recordfail
${indent}	load_video
${indent}	gfxmode $linux_gfx_mode
${indent}	insmod gzio
${indent}	if [ x$grub_platform = xxen ]; then insmod xzio; insmod lzopio; fi
${indent}	set root='hd0,gpt2'
${indent}	if [ x$feature_platform_search_hint = xy ]; then
${indent}	  search --no-floppy --fs-uuid --set=root --hint-bios=hd0,gpt2 --hint-efi=hd0,gpt2 ${U}
${indent}	else
${indent}	  search --no-floppy --fs-uuid --set=root ${U}
${indent}	fi
${indent}	linux	/boot/vmlinuz-${ver} root=UUID=${U} ro  quiet splash $vt_handoff
${indent}	initrd	/boot/initrd.img-${ver}
${indent}}
`;

const UBUNTU = `if [ -s $prefix/grubenv ]; then
  set have_grubenv=true
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
function recordfail {
  set recordfail=1
  if [ -n "\${have_grubenv}" ]; then if [ -z "\${boot_once}" ]; then save_env recordfail; fi; fi
}
function load_video {
  insmod all_video
}
if [ "\${recordfail}" = 1 ] ; then
  set timeout=30
else
  if [ x$feature_timeout_style = xy ] ; then
    set timeout_style=hidden
    set timeout=0
  fi
fi
function gfxmode {
	set gfxpayload="\${1}"
	if [ "\${1}" = "keep" ]; then
		set vt_handoff=vt.handoff=7
	else
		set vt_handoff=
	fi
}
if [ "\${recordfail}" != 1 ]; then
  if [ -e \${prefix}/gfxblacklist.txt ]; then
    if [ \${grub_platform} != pc ]; then
      set linux_gfx_mode=keep
    elif hwmatch \${prefix}/gfxblacklist.txt 3; then
      if [ \${match} = 0 ]; then set linux_gfx_mode=keep; else set linux_gfx_mode=text; fi
    else
      set linux_gfx_mode=text
    fi
  else
    set linux_gfx_mode=keep
  fi
else
  set linux_gfx_mode=text
fi
export linux_gfx_mode
${ubuntuEntry('5.15.0-91-generic', `gnulinux-simple-${U}`, '')}submenu 'Advanced options for Ubuntu' $menuentry_id_option 'gnulinux-advanced-${U}' {
${ubuntuEntry('5.15.0-91-generic', `gnulinux-5.15.0-91-generic-advanced-${U}`, '\t')}${ubuntuEntry('5.15.0-89-generic', `gnulinux-5.15.0-89-generic-advanced-${U}`, '\t')}}
menuentry 'UEFI Firmware Settings' $menuentry_id_option 'uefi-firmware' {
	fwsetup
}
`;

describe('Ubuntu 22.04 grub.cfg', () => {
  const disks = { hd1: { uuid: U } };
  it('boots the first entry by default with vt.handoff and BOOT_IMAGE as GRUB builds it', () => {
    const r = run(UBUNTU, {}, { disks, platform: { grub_platform: 'efi' } });
    expect(r.selection?.idPath).toBe(`gnulinux-simple-${U}`);
    const boot = r.selection?.entry.boot as BootSpec;
    expect(boot.kernel).toMatchObject({ device: 'hd1', path: '/boot/vmlinuz-5.15.0-91-generic' });
    expect(grubCmdline(boot)).toBe(`BOOT_IMAGE=/boot/vmlinuz-5.15.0-91-generic root=UUID=${U} ro quiet splash vt.handoff=7`);
    expect(r.menu.map((n) => n.kind)).toEqual(['entry', 'submenu', 'entry']);
  });

  it('saved_entry id path into the submenu (grub-set-default / GRUB_SAVEDEFAULT)', () => {
    const saved = `gnulinux-advanced-${U}>gnulinux-5.15.0-89-generic-advanced-${U}`;
    const r = run(UBUNTU, { '/boot/grub/grubenv': `${SIG}saved_entry=${saved}\n` }, { disks });
    expect(r.selection?.idPath).toBe(saved);
    expect(r.selection?.indexPath).toEqual([1, 1]);
    expect(r.selection?.entry.boot?.args).toContain('vt.handoff=7');
  });

  it('grub-reboot next_entry "1>0" is used once and reported', () => {
    const r = run(UBUNTU, { '/boot/grub/grubenv': `${SIG}next_entry=1>0\nsaved_entry=0\n` }, { disks });
    expect(r.selection?.titlePath).toBe('Advanced options for Ubuntu>Ubuntu, with Linux 5.15.0-91-generic');
    expect(r.usedNextEntry).toBe(true);
  });
});

describe('RHEL 8 UEFI: ESP stub, grubenv kernelopts, BLS', () => {
  const B = '11112222-3333-4444-5555-666677778888';
  const files = {
    '/EFI/redhat/grub.cfg': `search --no-floppy --fs-uuid --set=dev ${B}\nset prefix=($dev)/grub2\nexport $prefix\nconfigfile $prefix/grub.cfg\n`,
    'hd1:/grub2/grub.cfg': `set pager=1\nif [ -f \${config_directory}/grubenv ]; then\n  load_env -f "\${config_directory}/grubenv"\nelif [ -s $prefix/grubenv ]; then\n  load_env\nfi\nif [ "\${next_entry}" ] ; then\n   set default="\${next_entry}"\n   set next_entry=\n   save_env next_entry\n   set boot_once=true\nelse\n   set default="\${saved_entry}"\nfi\nset root='hd0,gpt2'\nsearch --no-floppy --fs-uuid --set=root ${B}\ninsmod blscfg\nblscfg\n`,
    'hd1:/grub2/grubenv': `${SIG}saved_entry=abc-4.18.0-513.el8.x86_64\nkernelopts=root=/dev/mapper/rhel-root ro crashkernel=auto resume=/dev/mapper/rhel-swap rhgb quiet\n`,
    'hd1:/loader/entries/abc-4.18.0-513.el8.x86_64.conf':
      'title Red Hat Enterprise Linux (4.18.0-513.el8.x86_64) 8.9 (Ootpa)\nversion 4.18.0-513.el8.x86_64\nlinux /vmlinuz-4.18.0-513.el8.x86_64\ninitrd /initramfs-4.18.0-513.el8.x86_64.img $tuned_initrd\noptions $kernelopts $tuned_params\nid rhel-20231010-4.18.0-513.el8.x86_64\ngrub_users $grub_users\ngrub_arg --unrestricted\ngrub_class kernel\n',
    'hd1:/loader/entries/abc-4.18.0-553.el8.x86_64.conf':
      'title Red Hat Enterprise Linux (4.18.0-553.el8.x86_64) 8.10 (Ootpa)\nversion 4.18.0-553.el8.x86_64\nlinux /vmlinuz-4.18.0-553.el8.x86_64\ninitrd /initramfs-4.18.0-553.el8.x86_64.img $tuned_initrd\noptions $kernelopts $tuned_params\n',
  };
  it('follows the stub, loads kernelopts, picks the saved BLS id', () => {
    const r = run('', files, {
      configPath: '/EFI/redhat/grub.cfg',
      flavor: 'redhat',
      disks: { hd1: { uuid: B } },
      platform: { grub_platform: 'efi' },
    });
    expect(r.menu.map((n) => n.id)).toEqual(['abc-4.18.0-553.el8.x86_64', 'abc-4.18.0-513.el8.x86_64']);
    expect(r.selection?.idPath).toBe('abc-4.18.0-513.el8.x86_64');
    const boot = r.selection?.entry.boot as BootSpec;
    expect(boot.kernel).toMatchObject({ device: 'hd1', path: '/vmlinuz-4.18.0-513.el8.x86_64' });
    expect(boot.initrds.map((f) => f.path)).toEqual(['/initramfs-4.18.0-513.el8.x86_64.img']);
    expect(grubCmdline(boot)).toBe(
      'BOOT_IMAGE=(hd1)/vmlinuz-4.18.0-513.el8.x86_64 root=/dev/mapper/rhel-root ro crashkernel=auto resume=/dev/mapper/rhel-swap rhgb quiet',
    );
    expect(r.env['kernelopts']).toMatch(/^root=/);
  });
});
