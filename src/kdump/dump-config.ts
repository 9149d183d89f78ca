/**
 * Reads the capture-side configuration through a RootFs: /etc/kdump.conf (kdump-utils) and
 * /etc/default/kdump-tools (Debian), finds makedumpfile, and builds the dump plan.
 */
import type { Diagnostic } from '../errors.js';
import { KDUMP_CONF, parseKdumpConf } from '../config/kdump-conf.js';
import { KDUMP_TOOLS_DEFAULTS, parseKdumpTools, type KdumpTools } from '../config/kdump-tools.js';
import type { RootFs } from '../host/rootfs.js';
import { buildDumpPlan, type DumpPlan } from './dump-plan.js';

export const MAKEDUMPFILE_PATHS: readonly string[] = ['/usr/sbin/makedumpfile', '/sbin/makedumpfile', '/usr/bin/makedumpfile', '/usr/local/sbin/makedumpfile'];

export function findMakedumpfile(fs: RootFs): string | null {
  return MAKEDUMPFILE_PATHS.find((p) => fs.isFile(p)) ?? null;
}

export function readKdumpTools(fs: RootFs): { tools: KdumpTools | null; diagnostics: Diagnostic[] } {
  const text = fs.readText(KDUMP_TOOLS_DEFAULTS);
  if (text === null) return { tools: null, diagnostics: [] };
  const r = parseKdumpTools(text, KDUMP_TOOLS_DEFAULTS);
  return { tools: r.value, diagnostics: r.diagnostics };
}

export function readDumpPlan(fs: RootFs): { plan: DumpPlan; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const text = fs.readText(KDUMP_CONF);
  let conf = null;
  if (text !== null) {
    const r = parseKdumpConf(text, KDUMP_CONF);
    conf = r.value;
    diagnostics.push(...r.diagnostics);
  }
  const t = readKdumpTools(fs);
  diagnostics.push(...t.diagnostics);
  const plan = buildDumpPlan({ conf, tools: t.tools, makedumpfile: findMakedumpfile(fs) });
  return { plan, diagnostics };
}
