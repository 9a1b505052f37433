#!/usr/bin/env node
// The `locus` command. The TypeScript sources are bundled into dist/ by `npm install`
// (the root `prepare` script) or `npm run build`.
let main;
try {
  main = await import('../dist/main.js');
} catch (error) {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('locus: error LOCUS_ERR_INTERNAL: the command is not built yet.\nRun `npm install` (or `npm run build`) in the Locus checkout first.\n');
    process.exit(70);
  }
  throw error;
}
process.stdout.on('error', (error) => main.onStdoutError(error));
process.exitCode = await main.main(process.argv.slice(2));
