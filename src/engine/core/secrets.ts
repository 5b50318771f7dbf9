// The secrets this process has put into requests (header values filled in from the environment), so that no text the
// engine produces repeats one: a server may echo a token anywhere (an output's name, an error, its metadata), and from
// there it would reach a message, a log line, a report or a batch summary.

/** Values shorter than this are not scrubbed from every message (a 1-character value would mangle them all). */
const MIN_SECRET_LENGTH = 4;

const secrets = new Set<string>();
let sorted: string[] = [];

/** Records a value sent in a header from the environment; from now on redactSecrets replaces it with `***`. */
export function registerSecret(value: string): void {
  if (value.length < MIN_SECRET_LENGTH || secrets.has(value)) return;
  secrets.add(value);
  // Longest first, so that "Bearer <token>" goes whole before "<token>" alone.
  sorted = [...secrets].sort((a, b) => b.length - a.length);
}

/** `text` with every registered secret replaced by `***`. */
export function redactSecrets(text: string): string {
  if (sorted.length === 0) return text;
  let out = text;
  for (const secret of sorted) if (out.includes(secret)) out = out.split(secret).join('***');
  return out;
}
