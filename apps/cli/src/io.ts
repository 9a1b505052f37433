import { CONTROL_CHARACTER } from '@locus/protocol';

/** Where a command reads and writes; tests pass their own. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal, so that progress lines are worth printing. */
  readonly stderrIsTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export function processIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stderrIsTty: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}

// Control characters (newline too: a line is printed as one), DEL, C1 controls, and the
// bidirectional controls that reorder what a terminal shows: those no name may hold.
const UNPRINTABLE = new RegExp(CONTROL_CHARACTER.source, 'g');

/**
 * One line of text that came from a file or a peer, safe to print on a terminal: each control
 * character shown as \uXXXX. A bundle's unsigned fields could otherwise carry escape sequences
 * that rewrite the screen, a verdict an auditor reads included.
 */
export const printable = (line: string): string => line.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Lines made printable, each ended by a newline. */
export const printableLines = (lines: readonly string[]): string => lines.map((line) => `${printable(line)}\n`).join('');
