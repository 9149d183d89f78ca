/**
 * evaluateGrub: run grub.cfg as GRUB's normal mode does, then build the menu tree and resolve
 * `default` level by level (grub-semantics.md §1-§2). Pure: all reads go through GrubFs.
 * The result is plain data with the default path evaluated; menu-expand.ts runs the rest on request.
 */
import { GRUB_COMMANDS } from './commands.js';
import { ConfigfileSwitch, Ctl, newCtx, type Ctx, type Effects } from './context.js';
import { Interp } from './interp.js';
import { MAX_DEPTH_CEILING, stopMessage } from './limits.js';
import { rememberSession } from './menu-expand.js';
import { MenuBuilder } from './menu-tree.js';
import type { EvaluateOptions, GrubFs, GrubResult, ProbeTarget } from './types.js';

const FEATURES = [
  'feature_chainloader_bpb',
  'feature_ntldr',
  'feature_platform_search_hint',
  'feature_default_font_path',
  'feature_all_video_module',
  'feature_menuentry_id',
  'feature_menuentry_options',
  'feature_200_final',
  'feature_nativedisk_cmd',
  'feature_timeout_style',
];

function initialCtx(opts: EvaluateOptions): Ctx {
  const ctx = newCtx(null, false);
  const dev = opts.fs.prefixDevice;
  const prefixDir = opts.prefix ?? opts.configPath.replace(/\/[^/]*$/, '');
  const vars: Record<string, string> = {
    root: dev,
    prefix: `(${dev})${prefixDir}`,
    cmdpath: `(${dev})${prefixDir}`,
    config_directory: `(${dev})${prefixDir}`,
    config_file: `(${dev})${opts.configPath}`,
    grub_platform: opts.platform?.grub_platform ?? 'pc',
    grub_cpu: opts.platform?.grub_cpu ?? 'x86_64',
  };
  for (const f of FEATURES) vars[f] = 'y';
  for (const [k, v] of Object.entries(vars)) {
    ctx.vars.set(k, v);
    ctx.exported.add(k);
  }
  return ctx;
}

/**
 * The GrubFs the script sees: names `search` bound are read as their devices, and calls that
 * throw (I/O errors in the caller's adapter) become "absent" plus a diagnostic.
 */
function scriptFs(fs: GrubFs, names: ReadonlyMap<string, string>, report: (m: string) => void): GrubFs {
  const dev = (d: string): string => names.get(d) ?? d;
  const guard = <T>(what: string, f: () => T): T | null => {
    try {
      return f();
    } catch (e) {
      report(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  };
  return {
    prefixDevice: fs.prefixDevice,
    readFile: (d, p) => guard(`reading (${d})${p}`, () => fs.readFile(dev(d), p)),
    listDir: (d, p) => guard(`listing (${d})${p}`, () => fs.listDir(dev(d), p)),
    search: (k, v, h) => guard(`search ${k} ${v}`, () => fs.search(k, v, h)),
    ...(fs.probe === undefined ? {} : { probe: (d: string, t: ProbeTarget, p: string) => guard(`probe (${d})`, () => fs.probe?.(dev(d), t, p) ?? null) }),
    ...(fs.explain === undefined ? {} : { explain: (d: string, p: string) => guard(`reading (${d})${p}`, () => fs.explain?.(dev(d), p) ?? null) }),
  };
}

export function evaluateGrub(opts: EvaluateOptions): GrubResult {
  const flavor = opts.flavor ?? 'upstream';
  const limits = opts.limits ?? {};
  const effects: Effects = { diagnostics: [], loadedEnv: {}, savedEnv: [], deviceNames: new Map(), uncertain: [] };
  const ctx0 = initialCtx(opts);
  const ip = new Interp(
    {
      // The callback runs only after construction, when `ip` exists.
      fs: scriptFs(opts.fs, effects.deviceNames, (m) => ip.diag('error', m)),
      flavor,
      commands: GRUB_COMMANDS,
      maxSteps: limits.maxSteps ?? 1_000_000,
      maxDepth: Math.min(limits.maxDepth ?? 100, MAX_DEPTH_CEILING),
      maxSourceDepth: Math.min(limits.maxSourceDepth ?? 32, MAX_DEPTH_CEILING),
    },
    ctx0,
    opts.configName ?? opts.configPath,
    effects,
  );
  const path = `(${opts.fs.prefixDevice})${opts.configPath}`;
  // Named as the interpreter names it, so parse and run diagnostics, and the bodies of its
  // entries, all say "<configName>:<line>".
  const stmts = ip.scripts.load(path, '', opts.configName ?? opts.configPath);
  if (stmts === null) ip.diag('error', `${path}: file not found`);
  let ctx = ctx0;
  try {
    ip.run(stmts ?? []);
  } catch (e) {
    if (e instanceof ConfigfileSwitch) ctx = e.ctx;
    else if (stopMessage(e) !== null) ip.diag('error', `${stopMessage(e)}; script evaluation stopped`);
    else if (!(e instanceof Ctl)) throw e;
  }
  ip.resetSteps();
  const builder = new MenuBuilder(ip, flavor);
  const top = builder.level(ctx, true, 0);
  if (top.nodes.length === 0) ip.diag('warning', 'the menu is empty: GRUB would boot nothing');
  else if (top.selection === null) ip.diag('warning', 'the default names an empty submenu: GRUB would boot nothing');
  const nextEntry = effects.loadedEnv['next_entry'];
  const result: GrubResult = {
    menu: top.nodes,
    deviceNames: Object.fromEntries(effects.deviceNames),
    defaultVar: ctx.vars.get('default') ?? null,
    fallbackVar: ctx.vars.get('fallback') ?? null,
    selection: top.selection,
    env: { ...effects.loadedEnv },
    usedNextEntry: nextEntry !== undefined && nextEntry !== '' && effects.savedEnv.includes('next_entry'),
    savedEnvVars: [...effects.savedEnv],
    diagnostics: [...effects.diagnostics],
    uncertain: [...effects.uncertain],
  };
  rememberSession(result, { builder, top, effects });
  return result;
}
