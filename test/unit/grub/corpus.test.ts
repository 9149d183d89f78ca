/**
 * Walks every case.json of the shared GRUB corpus (read-only, ../shared/corpus/grub from the repo
 * root) and compares our default choice with real GRUB (grub_emu) or, for BLS cases the emulator
 * cannot run, with the peer's assertion. Documented mismatches live in KNOWN and docs/grub-corpus.md.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { blsFirst, parseBlsEntry } from '../../../src/boot/grub/bls-entry.js';
import { evaluateGrub } from '../../../src/boot/grub/evaluate.js';
import { parseGrubenv } from '../../../src/boot/grub/grubenv.js';
import { compareEmu, compareExpected } from './corpus-compare.js';
import { corpusFs, partitionsFor, type CaseJson } from './corpus-fs.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const corpus = resolve(repoRoot, '../shared/corpus/grub');

/** Cases where we knowingly differ from the reference, with the reason (mirrored in docs/grub-corpus.md). */
const KNOWN: Record<string, string> = {
  'petitboot/grub2-blscfg-multiple-bls':
    'peer error: petitboot expands $os_name in BLS titles; GRUB blscfg passes the title verbatim (kernel/initrd/order match)',
  'petitboot/grub2-blscfg-opts-grubenv':
    "initrd line '$blank /initramfs... $blank': blscfg pastes ($root) before the value, so GRUB's initrd gets a bare " +
    "'($root)' first (which GRUB cannot open); petitboot drops it. Our capture keeps what GRUB would run",
  'u-root/CentOS_8_Stream_x86_64_blscfg_sda1':
    "peer convention: u-root titles are title + ' ' + version; GRUB's BLS title is the title key alone (kernel, initrd, " +
    'cmdline and the chosen entry match)',
  'petitboot/grub2-blscfg-opts-config':
    "peer error: unquoted 'set kernelopts=root=... ro ...' keeps only its first word in GRUB; petitboot keeps the line",
};

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name === 'case.json') out.push(p);
  }
  return out;
}

function evaluateCase(caseDir: string, c: CaseJson) {
  const name = relative(corpus, caseDir);
  const { parts, configDevice } = partitionsFor(caseDir, c, name.startsWith('u-root/'));
  const fs = corpusFs(parts, configDevice);
  const configPath = `/${c.config as string}`;
  const prefix = configPath.replace(/\/[^/]*$/, '');
  const emu = c.grub_emu !== null;
  const result = evaluateGrub({
    fs,
    configPath,
    flavor: emu ? 'upstream' : 'redhat',
    platform: { grub_platform: emu ? 'emu' : 'efi', grub_cpu: 'x86_64' },
  });
  return { result, where: { configDevice, prefix } };
}

const cases = existsSync(corpus) ? walk(corpus) : [];

describe.skipIf(cases.length === 0)('GRUB corpus (../shared/corpus/grub)', () => {
  const scored: { name: string; ok: boolean; why: string[] }[] = [];

  for (const file of cases) {
    const caseDir = dirname(file);
    const name = relative(corpus, caseDir);
    const c = JSON.parse(readFileSync(file, 'utf8')) as CaseJson;
    it(`${name} (${c.kind})`, () => {
      let why: string[] = [];
      if (c.kind === 'grubenv') {
        const env = parseGrubenv(readFileSync(join(caseDir, c.grubenv ?? 'boot/grub/grubenv'), 'utf8'), 'grubenv');
        const vars = (c.expected?.['vars'] ?? {}) as Record<string, string>;
        if (JSON.stringify(env.value) !== JSON.stringify(vars)) why.push(`grubenv: ${JSON.stringify(env.value)}`);
      } else if (c.kind === 'bls-entry-parse' || c.kind === 'bls') {
        const dir = join(caseDir, 'loader/entries');
        const parsed = readdirSync(dir).filter((n) => n.endsWith('.conf')).map((n) => parseBlsEntry(readFileSync(join(dir, n), 'utf8'), n).value);
        const fields = (c.expected?.['fields'] ?? {}) as Record<string, string>;
        for (const [k, v] of Object.entries(fields)) {
          if (!parsed.some((e) => blsFirst(e, k) === v)) why.push(`BLS field ${k}: not ${JSON.stringify(v)}`);
        }
        // GRUB (blscfg) creates entries only for files with a linux key; u-root asserts the same list.
        const bootable = parsed.filter((e) => blsFirst(e, 'linux') !== undefined).length;
        const want = (c.expected?.['entries'] as unknown[] | undefined)?.length;
        if (want !== undefined && bootable !== want) why.push(`BLS entries with linux: ${bootable}, peer ${want}`);
      } else {
        const { result, where } = evaluateCase(caseDir, c);
        why = c.grub_emu !== null ? compareEmu(result, c.grub_emu, where) : compareExpected(result, c.expected ?? {});
      }
      scored.push({ name, ok: why.length === 0, why });
      if (KNOWN[name] !== undefined) {
        expect(why.length, `${name} is listed as a known mismatch but now matches: update KNOWN`).toBeGreaterThan(0);
      } else {
        expect(why, name).toEqual([]);
      }
    });
  }

  it('reports the score', () => {
    const matched = scored.filter((s) => s.ok).length;
    console.log(`grub corpus: matched ${matched}/${scored.length} case.json (known mismatches: ${Object.keys(KNOWN).length})`);
    for (const s of scored.filter((x) => !x.ok)) console.log(`  mismatch ${s.name}: ${s.why.join('; ')}`);
    expect(scored.length).toBe(cases.length);
  });
});

it.skipIf(cases.length > 0)('GRUB corpus is absent', () => {
  console.log(`grub corpus: skipped, ${corpus} not found`);
});
