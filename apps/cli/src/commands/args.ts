import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from '../errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * `--lon -74` as `--lon=-74`: parseArgs takes a value that starts with a dash for an option,
 * so a negative number after an option that takes a value is that option's value.
 */
export function joinNegativeValues(args: readonly string[], options: Options): string[] {
  const takesValue = (word: string): boolean => {
    const long = /^--([^=]+)$/.exec(word)?.[1];
    if (long !== undefined) return options[long]?.type === 'string';
    const short = /^-([^-])$/.exec(word)?.[1];
    return short !== undefined && Object.values(options).some((o) => o.short === short && o.type === 'string');
  };
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--') {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    if (next !== undefined && NEGATIVE_NUMBER.test(next) && takesValue(word)) {
      out.push(word.startsWith('--') ? `${word}=${next}` : `${word}${next}`);
      i++;
    } else out.push(word);
  }
  return out;
}

/**
 * node:util parseArgs in strict mode, with its errors turned into usage errors that name
 * the command and point at its --help.
 */
export function parseCommandArgs<O extends Options>(command: string, args: readonly string[], options: O) {
  return parseCommandLine(command, args, options, false).values;
}

/**
 * As parseCommandArgs, for a command that also takes positional arguments (`positionals`). An
 * option given twice is refused unless it is `multiple`: parseArgs keeps the last, and which one
 * a user meant is not for the command to guess.
 */
export function parseCommandLine<O extends Options>(command: string, args: readonly string[], options: O, positionals = true) {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(args, options), options, strict: true, allowPositionals: positionals, tokens: true });
  } catch (error) {
    throw argsError(command, error);
  }
  const given = new Map<string, number>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || options[token.name]?.multiple) continue;
    const times = (given.get(token.name) ?? 0) + 1;
    given.set(token.name, times);
    if (times === 2) throw usageError(`${command}: option --${token.name} is given more than once; give it once`, `Run \`${command} --help\` for the options.`);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/** parseArgs' error as a usage error naming the command, without its advice on '--' (which no command needs). */
function argsError(command: string, error: unknown) {
  const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
  return usageError(`${command}: ${message}`, `Run \`${command} --help\` for the options.`);
}
