// The stdin watchdog: `sh` runs the command in the background, reads its own stdin to the end, then
// kills the command. Whoever holds the other end of that stdin (a pipe from this process, an SSH
// channel) takes the command down with it when it goes away for any reason, SIGKILL included, even
// for a command that never reads stdin itself (a JVM, the metric agent). A TERM to the `sh` is
// passed on. The command's words travel as positional parameters, never inside the script.

export function stdinWatchdogArgv(argv: readonly string[]): string[] {
  return [
    'sh',
    '-c',
    '"$@" </dev/null & j=$!; trap "kill $j" TERM; cat >/dev/null; kill $j 2>/dev/null; wait $j',
    'foreshock-watchdog',
    ...argv,
  ];
}
