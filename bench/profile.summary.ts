/**
 * npm run bench:profile -- <file.cpuprofile>… — the top self-time functions of V8 CPU profiles
 * (written by `BENCH_PROFILE=1 npm run bench …`, i.e. node --cpu-prof on the server), and the
 * same time summed by package, so a profile can be read and quoted without DevTools.
 */
import { readFileSync } from 'node:fs';
import { BUILD_DIR } from './load/build.load.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const TOP = Number(process.env.TOP ?? 25);

/** Where our compiled files are; what follows it in a URL is their path. */
const OURS = `/${BUILD_DIR}/`;

/** Our own src/<module> (or bench/floor…), node_modules/<package> (scoped), or node: internals. */
function packageOf(url: string): string {
  if (url.includes(OURS)) {
    const [top, module] = url.split(OURS)[1].split('/');
    return top === 'src' || top === 'bench' ? `${top}/${module}` : top;
  }
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1];
  if (url.startsWith('node:') || url === '') return url || '(native/V8)';
  return url.replace(/^file:\/\//, '');
}

function summarize(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url
      ? `${url.includes(OURS) ? url.split(OURS)[1] : url.replace(/^.*node_modules\//, '')}:${lineNumber + 1}`
      : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const pkg = packageOf(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const idle = ['(idle)', '(program)', '(garbage collector)'];
  const busy = total - idle.reduce((s, k) => s + (byFunction.get(k) ?? 0), 0);
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1)}%`.padStart(6);
  console.log(
    `\n${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s not idle (percentages of that); GC ${(((byFunction.get('(garbage collector)') ?? 0) / busy) * 100).toFixed(1)}%`,
  );
  console.log('\ntop self time by function:');
  for (const [key, us] of [...byFunction]
    .filter(([k]) => !idle.includes(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP))
    console.log(`${pct(us)} ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
  console.log('\nself time by package:');
  for (const [pkg, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`${pct(us)} ${(us / 1000).toFixed(0).padStart(7)} ms  ${pkg}`);
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npm run bench:profile -- <file.cpuprofile>…');
  process.exit(2);
}
for (const file of files) summarize(file);
