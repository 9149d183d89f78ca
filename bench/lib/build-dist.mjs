// node bench/lib/build-dist.mjs: builds the benches' own bundle (bench/lib/bundle.mjs) and prints
// its directory, so that bench/run.sh builds it once for every bench (BENCH_DIST).
import { benchDist } from './bundle.mjs';

delete process.env.BENCH_DIST;
process.stdout.write(`${(await benchDist()).dir}\n`);
