/**
 * The server's V8 flags are written in four places that cannot share a constant (the Dockerfile's
 * CMD, two npm scripts, the bench's instances): they must say the same, or the bench measures a
 * server nobody runs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const flagsIn = (text: string) => [...text.matchAll(/--max-semi-space-size=\d+/g)].map((m) => m[0]);

describe('the server runtime flags', () => {
  it('are the same in the Docker image, npm start, start:prod and the bench', () => {
    const cmd = /^CMD \[(.*)\]$/m.exec(read('Dockerfile'))![1];
    const [docker] = flagsIn(cmd);
    expect(docker).toMatch(/^--max-semi-space-size=\d+$/);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
      .scripts;
    expect(flagsIn(scripts.start)).toEqual([docker]);
    expect(flagsIn(scripts['start:prod'])).toEqual([docker]);
    expect(flagsIn(read('bench/load/targets.load.ts'))).toEqual([docker]);
  });
});
