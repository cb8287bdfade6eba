/**
 * Where `npm run bench:build` (tsc -p bench/tsconfig.json) puts the server, the floor and the
 * bench itself, all run from there with plain node: not dist/, which a `nest build` elsewhere on
 * the shared machine empties (and refills with other code) mid-run.
 */
export const BUILD_DIR = 'node_modules/.cache/chat-bench';
