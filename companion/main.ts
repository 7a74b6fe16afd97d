/** Process entry of the `auto-montage` command: Ctrl-C, SIGTERM and SIGHUP cancel the running job; the exit code comes from runCli. */
import { CancellationTokenSource } from './core/lifecycle';
import { runCli } from './cli';

const source = new CancellationTokenSource();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts > 1) process.exit(130); // a second Ctrl-C stops at once
  source.cancel();
});
process.on('SIGTERM', () => source.cancel());
process.on('SIGHUP', () => source.cancel()); // a closed terminal: stop the job and clean up as for Ctrl-C
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, source);
