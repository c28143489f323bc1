// The code a worker thread evals to load its module: the compiled JavaScript, or the TypeScript source through tsx.

/**
 * The expression (a promise) that imports `name` (without extension) beside `from` (an
 * `import.meta.url`). Run from TypeScript sources (tests, tsx), the thread registers tsx's loader
 * first, since Node 20 ignores `--import` hooks in a worker's execArgv; the published package is
 * JavaScript. tsx is resolved here, where Node can: an evaluated worker resolves bare names from
 * the working directory.
 */
export function threadEntry(from: string, name: string): string {
  const fromSource = from.endsWith('.ts');
  const entry = JSON.stringify(new URL(`./${name}${fromSource ? '.ts' : '.js'}`, from).href);
  if (!fromSource) return `import(${entry})`;
  const tsxApi = JSON.stringify(typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api');
  return `import(${tsxApi}).then((tsx) => { tsx.register(); return import(${entry}); })`;
}
