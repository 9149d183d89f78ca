/**
 * Walks every case.json of the shared GRUB corpus (read-only, ../shared/corpus/grub from the repo
 * root) and compares our default choice with real GRUB (grub_emu) or, for BLS cases the emulator
 * cannot run, with the peer's assertion. Documented mismatches live in KNOWN and docs/grub-corpus.md.
 * The storage-layout fixture roots (issue 17: btrfs snapshots, ZFS, LVM, md, LUKS) count in the
 * score too: each root's grub.cfg evaluated over the root itself (kexecctl's RootGrubFs, its
 * device table from the root's mountinfo and /dev links) against what grub-emu 2.06 ran for it
 * (<root>/grub-emu.json, test/fixtures/roots/_grub-emu/record.mjs).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { blsFirst, parseBlsEntry } from '../../../../src/boot/grub/bls-entry.js';
import { evaluateGrub } from '../../../../src/boot/grub/evaluate.js';
import { parseGrubenv } from '../../../../src/boot/grub/grubenv.js';
import { evaluateSystemGrub } from '../../../../src/plan/grub-source.js';
import { RootFs } from '../../../../src/host/rootfs.js';
import { compareEmu, compareExpected, compareRecorded, type RecordedEmu } from './corpus-compare.js';
import { corpusFs, partitionsFor, type CaseJson } from './corpus-fs.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** KEXECCTL_GRUB_CORPUS overrides the location (the directory that holds README.md and <source>/). */
const corpus = resolve(process.env['KEXECCTL_GRUB_CORPUS'] ?? resolve(repoRoot, '../shared/corpus/grub'));
/** Floor for the case count: what the corpus held when this test was written (README "Total: 73"). */
const MIN_CASES = 73;

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
  'petitboot/grub2-blscfg-opts-config': "peer error: unquoted 'set kernelopts=root=... ro ...' keeps only its first word in GRUB; petitboot keeps the line",
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

/** The corpus's own index: README.md's "Total: N case.json under `grub/`" line (null when absent). */
function indexedCount(): number | null {
  const readme = join(corpus, 'README.md');
  if (!existsSync(readme)) return null;
  const m = /^Total: (\d+) case\.json under `grub\/`/m.exec(readFileSync(readme, 'utf8'));
  return m === null ? null : Number(m[1]);
}

/** Fixture roots with a grub-emu record; the six storage layouts of issue 17 must be among them. */
const FIXTURES = resolve(repoRoot, 'test/fixtures/roots');
const STORAGE_LAYOUTS = ['debian12-luks', 'debian12-lvm', 'debian12-mdraid', 'opensuse-snapper', 'proxmox-zfs', 'ubuntu-zsys'];
const recordedRoots = readdirSync(FIXTURES)
  .filter((n) => existsSync(join(FIXTURES, n, 'grub-emu.json')))
  .sort();

const present = existsSync(corpus) && statSync(corpus).isDirectory();
const cases = present ? walk(corpus) : [];
const missing = `GRUB corpus not found at ${corpus}: check out the shared corpus next to the repository, or point KEXECCTL_GRUB_CORPUS at it`;

describe('GRUB corpus (../shared/corpus/grub or $KEXECCTL_GRUB_CORPUS)', () => {
  it('is present and holds the number of cases its README lists', () => {
    if (!present) throw new Error(missing);
    const indexed = indexedCount();
    if (indexed === null) throw new Error(`${join(corpus, 'README.md')}: no "Total: N case.json under \`grub/\`" line to count against`);
    expect(cases.length, `case.json files under ${corpus} vs the README's total`).toBe(indexed);
    expect(cases.length, `fewer cases than the ${MIN_CASES} this test was written against`).toBeGreaterThanOrEqual(MIN_CASES);
  });

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
        const parsed = readdirSync(dir)
          .filter((n) => n.endsWith('.conf'))
          .map((n) => parseBlsEntry(readFileSync(join(dir, n), 'utf8'), n).value);
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

  const rootsScored: { name: string; ok: boolean; why: string[] }[] = [];

  it('has a grub-emu record for every storage-layout fixture root', () => {
    expect(recordedRoots).toEqual(expect.arrayContaining(STORAGE_LAYOUTS));
  });

  for (const name of recordedRoots) {
    it(`fixture root ${name} (grub-emu record)`, () => {
      const emu = JSON.parse(readFileSync(join(FIXTURES, name, 'grub-emu.json'), 'utf8')) as RecordedEmu & { producedBy: string };
      expect(emu.producedBy).toMatch(/^grub-emu \(GRUB\) 2\./);
      const menu = evaluateSystemGrub(new RootFs(join(FIXTURES, name, 'root')));
      const why = menu === null ? ['no grub.cfg found under the root'] : compareRecorded(menu.result, emu);
      rootsScored.push({ name: `fixtures/${name}`, ok: why.length === 0, why });
      expect(why, name).toEqual([]);
    });
  }

  it('ran every case and reports the score', () => {
    if (!present) throw new Error(missing);
    const matched = scored.filter((s) => s.ok).length;
    const rootsMatched = rootsScored.filter((s) => s.ok).length;
    console.log(
      `grub corpus: matched ${matched}/${scored.length} case.json (known mismatches: ${Object.keys(KNOWN).length}), ` +
        `${rootsMatched}/${rootsScored.length} storage-layout fixture roots; total ${matched + rootsMatched}/${scored.length + rootsScored.length}`,
    );
    for (const s of [...scored, ...rootsScored].filter((x) => !x.ok)) console.log(`  mismatch ${s.name}: ${s.why.join('; ')}`);
    expect(
      rootsScored.map((s) => s.name.slice('fixtures/'.length)),
      'fixture roots evaluated',
    ).toEqual(recordedRoots);
    expect(scored.length, 'cases evaluated vs case.json files found').toBe(cases.length);
    expect(scored.length).toBeGreaterThanOrEqual(MIN_CASES);
    for (const k of Object.keys(KNOWN))
      expect(
        cases.map((f) => relative(corpus, dirname(f))),
        `KNOWN lists ${k}`,
      ).toContain(k);
  });
});
