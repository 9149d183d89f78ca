/**
 * `kexecctl load` without --kernel loads the system plan. The plan provider lives in
 * src/plan/ (boot-target issue); until it offers resolveSystemPlan, this says so.
 */
import { KexecError } from '../../errors.js';
import type { LoadMode, LoadRequest } from '../../kexec/load.js';
import type { CliContext } from '../context.js';

export async function resolvePlanRequest(_ctx: CliContext, _o: { crash: boolean; mode: LoadMode }): Promise<LoadRequest> {
  throw new KexecError({ code: 'ENOPLAN', message: 'no --kernel given and no plan available yet', exitCode: 2 });
}
