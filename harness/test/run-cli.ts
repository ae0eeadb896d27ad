/** Test helper: the command line's main() with stdout captured (for tests of the CLI). */
import { main } from '../cli.js';

/** Runs main() with `args` and resolves with its exit code and everything it wrote to stdout. */
export async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string | Uint8Array) => {
    out += String(s);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await main(args), out };
  } finally {
    process.stdout.write = write;
  }
}
