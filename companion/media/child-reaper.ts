/**
 * Children die with their parent, however it dies. A `kill -9`, a crash or a closed terminal skips every
 * exit handler, and ffmpeg outlives us: it ignores SIGPIPE and write errors on `-progress pipe:1`, and EOF on
 * stdin does not stop it either, so a render would run on into an abandoned folder.
 *
 * The reaper is one small Node process per companion or CLI, started with the first child. We tell it, over
 * its stdin, the id of each child we start and of each that ended. Its stdin closes only when we are gone
 * (the kernel closes our end of the pipe however we die), and then it kills every child still listed and
 * exits. It ignores the terminal's SIGINT/SIGHUP/SIGTERM so that it outlives us; it never outlives that pipe.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

const REAPER_SOURCE = `
const pids = new Set();
let pending = '';
for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM']) process.on(signal, () => {});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
  const lines = (pending + text).split('\\n');
  pending = lines.pop();
  for (const line of lines) {
    const pid = Number(line.slice(1));
    if (line[0] === '+') pids.add(pid);
    else pids.delete(pid);
  }
});
const reap = () => {
  for (const pid of pids) {
    try { process.kill(pid, 'SIGKILL'); } catch {}
  }
  process.exit(0);
};
process.stdin.on('end', reap);
process.stdin.on('error', reap);
`;

let reaper: ChildProcess | undefined;
let unavailable = false;

function startReaper(): ChildProcess | undefined {
  if (reaper || unavailable) return reaper;
  try {
    const child = spawn(process.execPath, ['-e', REAPER_SOURCE], { stdio: ['pipe', 'ignore', 'ignore'], windowsHide: true, env: { ...process.env, NODE_OPTIONS: '' } });
    child.on('error', () => {
      unavailable = true; // children are still killed on a normal exit and on cancel, just not after a kill -9
      reaper = undefined;
    });
    child.on('exit', () => {
      if (reaper === child) reaper = undefined;
    });
    child.stdin!.on('error', () => {});
    // Neither the reaper nor its pipe keeps the event loop (a CLI run, a test) alive.
    child.unref();
    (child.stdin as Socket).unref();
    reaper = child;
  } catch {
    unavailable = true;
  }
  return reaper;
}

/** Has `child` killed when this process dies; call the returned function once the child has exited. */
export function reapWithParent(child: ChildProcess): () => void {
  const pid = child.pid;
  if (pid === undefined) return () => {};
  const guard = startReaper();
  guard?.stdin?.write(`+${pid}\n`);
  return () => {
    if (guard && guard === reaper && guard.stdin?.writable) guard.stdin.write(`-${pid}\n`);
  };
}
