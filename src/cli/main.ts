// The foreshock command line's entry (bin/foreshock.js imports it): run, and exit with its code.
import { main } from './program.ts';

// `foreshock ... | head`: the reader went away; stop quietly like other Unix tools, no stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.exitCode = await main(process.argv.slice(2));
