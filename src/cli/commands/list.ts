/**
 * kexecctl list [--root DIR] [--json]: the boot loader's menu as it would show it, default marked
 * ("*"), submenus indented, with each entry's kernel, initrds and command line.
 */
import type { Command } from 'commander';
import { openRoot } from './plan.js';
import type { ListNode, MenuListing } from '../../plan/menu-listing.js';

function fileText(real: string | null, written: string | null): string {
  if (real !== null) return real;
  return written === null ? '(none)' : `${written} (not found)`;
}

function nodeLines(n: ListNode, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  const mark = n.default ? '*' : ' ';
  out.push(`${pad}${mark} ${n.index}  ${n.title}${n.kind === 'submenu' ? '  >' : ''}`);
  const detail = `${pad}     `;
  out.push(`${detail}id:      ${n.path}`);
  if (n.kind === 'submenu') {
    for (const c of n.children ?? []) nodeLines(c, depth + 1, out);
    return;
  }
  out.push(`${detail}kernel:  ${fileText(n.kernel, n.kernelWritten)}`);
  if (n.initrd.length > 0) out.push(`${detail}initrd:  ${n.initrd.map((p, i) => fileText(p, n.initrdWritten[i] ?? null)).join(' + ')}`);
  if (n.cmdline !== null) out.push(`${detail}cmdline: ${n.cmdline}`);
}

export function formatListing(m: MenuListing): string {
  const out = [
    `${m.source === 'grub' ? 'GRUB' : 'systemd-boot'} menu from ${m.config}; default: ${m.default ?? '(none)'}${m.usedNextEntry ? ' (one-shot next_entry)' : ''}`,
  ];
  for (const n of m.entries) nodeLines(n, 0, out);
  for (const w of m.warnings) out.push(`warning: ${w}`);
  return out.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('list')
    .description("show the boot loader's menu with the default marked, and what each entry boots")
    .option('--root <dir>', 'read the boot loader configuration under DIR', '/')
    .option('--json', 'print JSON')
    .action(async (opts: { root: string; json?: boolean }) => {
      const { listBootMenu } = await import('../../plan/menu-listing.js'); // lazy: --help stays light
      const listing = listBootMenu(openRoot(opts.root));
      process.stdout.write(opts.json === true ? `${JSON.stringify(listing, null, 2)}\n` : formatListing(listing));
    });
}
