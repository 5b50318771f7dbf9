// HTTP for the Open Inference Protocol (KServe v2 REST): one JSON request with the configured headers (their
// `${env:NAME}` templates filled in at request time), one deadline per request (its retries included), retries with
// exponential backoff and jitter on 429/502/503/504 and dropped connections (Retry-After honoured), answers read as a
// stream and cut off past what the request can legitimately return (a declared Content-Length too large is refused
// before anything is read), and errors that say what happened without ever repeating a header's value. How many
// requests are in flight is the scheduler's (scheduler.ts).
import { DaxError, firstLine } from '../../core/errors';
import { redactSecrets, registerSecret } from '../../core/secrets';

/** What the client needs to know; `env` defaults to process.env. */
export interface KserveClientOptions {
  /** Base URL without a trailing slash. */
  url: string;
  /** Header templates (`${env:NAME}` is filled in from `env` at request time). */
  headers: Record<string, string>;
  /** Deadline of one request, its retries and their waits included. */
  timeoutMs: number;
  retries: number;
  env?: Record<string, string | undefined>;
  /** First backoff delay, doubled on each retry (with jitter); default 250 ms. */
  backoffMs?: number;
  /** Longest wait before a retry, Retry-After included; default 30 s. */
  maxBackoffMs?: number;
}

/** A response: its status, its body as text, and the body as JSON when it is JSON. */
export interface HttpAnswer {
  status: number;
  /** The body, or with the binary tensor extension its JSON part. */
  text: string;
  json: unknown;
  headers: Headers;
  /** With the binary tensor extension: the bytes after the JSON part (the binary outputs, in order). */
  binary?: Uint8Array;
  /** Tries it took (1 + the retries made). */
  attempts?: number;
}

/**
 * The largest answer read for a request that is not an inference (health, readiness, metadata, the repository index,
 * and their error bodies): real ones are a few kilobytes.
 */
export const SMALL_ANSWER_MAX_BYTES = 1 << 20;

/** What one request may do besides its body. */
export interface RequestOptions {
  /** Bytes sent after the JSON part (the binary tensor extension). */
  binary?: Uint8Array;
  /** The largest body the answer may have; default SMALL_ANSWER_MAX_BYTES. */
  maxBytes?: number;
}

/** The binary tensor extension's header: the length of the JSON part that starts the body. */
const JSON_LENGTH_HEADER = 'inference-header-content-length';

/** Statuses that mean "later": too many requests, a gateway that lost the server, the server busy or loading. */
const RETRY_STATUS = new Set([429, 502, 503, 504]);
/** Network errors worth another try: refused (restarting), reset or closed mid-request, connect timeouts. */
const RETRY_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
/** Codes that mean the server could not be reached at all (rather than lost mid-request). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Fills `${env:NAME}` from `env`; a missing variable is a usage error naming it (and the header, never a value). */
export function fillTemplate(
  template: string,
  env: Record<string, string | undefined>,
  header: string,
  onValue?: (value: string) => void,
): string {
  return template.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new DaxError(
        'usage',
        `header "${header}" of the model's endpoint needs the environment variable ${name}, which is not set.`,
      );
    }
    if (/[\r\n]/.test(value))
      throw new DaxError('usage', `the environment variable ${name} (header "${header}") contains a line break.`);
    onValue?.(value);
    return value;
  });
}

/** Waits `ms`, or rejects as cancelled when the signal fires first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function cancelled(): DaxError {
  return new DaxError('cancelled', 'The run was cancelled.');
}

/** The network error code behind a failed fetch (undici puts it on `cause`, sometimes inside an AggregateError). */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    const errors = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const inner = errorCode(errors[0]);
      if (inner) return inner;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The body of a response, read as a stream: a declared Content-Length above `maxBytes` is refused before anything is
 * read, and a body that grows past it (an endless or a lying answer) is cut off there; either is a `model` error.
 */
async function readBody(response: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  const tooLarge = (how: string): DaxError =>
    new DaxError(
      'model',
      `${what} ${how} the ${maxBytes} bytes an answer to it can take (its outputs for its inputs, with a margin): the server is not answering ` +
        'this request. Check "endpoint.url" and "endpoint.model", and that "output.name" is the model\'s class scores.',
    );
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(`declares a body of ${declared} bytes, more than`);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge('sent more than');
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date), if it is there and readable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** The server's own words from an error body: `{"error": "…"}` (the protocol's form) or the text, shortened. */
export function serverMessage(answer: Pick<HttpAnswer, 'json' | 'text'>): string {
  const json = answer.json as { error?: unknown; message?: unknown; detail?: unknown } | undefined;
  const fromJson = json && typeof json === 'object' ? (json.error ?? json.message ?? json.detail) : undefined;
  const text =
    typeof fromJson === 'string' ? fromJson : fromJson !== undefined ? JSON.stringify(fromJson) : answer.text;
  const line = text.replace(/\s+/g, ' ').trim();
  return line === '' ? '(no message)' : line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Parses a JSON body; Python servers may write NaN and Infinity, which are kept as numbers (then refused as non-finite). */
function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(text.replace(/(?<=[[,:]\s*)(-?Infinity|NaN)(?=\s*[\],}])/g, '"$1"'));
    } catch {
      return undefined;
    }
  }
}

/**
 * Deepest nesting of arrays and objects an answer may have: a tensor's `data` nested by its shape needs a level per
 * axis, metadata a few more. Deeper JSON (a hostile `[[[[…]]]]`) would overflow the stack of every recursive walk
 * after the parse (flattening, JSON.stringify into a message or the journal), so it is refused here.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` nests arrays or objects more than `limit` levels deep; iterative, so it cannot overflow itself. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** One Open Inference Protocol server, as seen by one classifier. */
export class KserveClient {
  /** Requests sent (retries included), retries made. */
  requests = 0;
  retries = 0;
  private readonly env: Record<string, string | undefined>;
  /** Values filled into headers so far, scrubbed from every message. */
  private readonly secrets = new Set<string>();

  constructor(private readonly options: KserveClientOptions) {
    this.env = options.env ?? process.env;
  }

  /** The headers with their templates filled in; throws a usage error naming a missing variable. */
  headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, template] of Object.entries(this.options.headers)) {
      const value = fillTemplate(template, this.env, name, (secret) => this.remember(secret));
      if (value !== template) this.remember(value);
      headers[name] = value;
    }
    return headers;
  }

  private remember(secret: string): void {
    this.secrets.add(secret);
    registerSecret(secret);
  }

  /** `text` with every header value that came from the environment (here or in another client) replaced by ***. */
  redact(text: string): string {
    let out = text;
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
    return redactSecrets(out);
  }

  /**
   * Sends a request, retrying what may pass (see RETRY_STATUS, RETRY_CODES) up to `retries` times with exponential
   * backoff and jitter, or the server's Retry-After, all within one deadline (`timeoutMs`: a retry that cannot start
   * and wait its turn before it is not made). Resolves with any final HTTP answer (the caller reads the status);
   * rejects with a DaxError of kind `model` when no answer came or the answer is larger than `options.maxBytes`,
   * `cancelled` on the signal.
   */
  async request(
    method: 'GET' | 'POST',
    route: string,
    body: unknown,
    signal: AbortSignal | undefined,
    options: RequestOptions = {},
  ): Promise<HttpAnswer> {
    const { binary, maxBytes = SMALL_ANSWER_MAX_BYTES } = options;
    const url = `${this.options.url}${route}`;
    const deadline = Date.now() + this.options.timeoutMs;
    let payload: string | Uint8Array | undefined = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { ...this.headers(), accept: 'application/json' };
    if (binary !== undefined && typeof payload === 'string') {
      // The binary tensor extension: the JSON part, then the tensors' bytes; a header says where the JSON ends.
      const json = new TextEncoder().encode(payload);
      const joined = new Uint8Array(json.length + binary.length);
      joined.set(json);
      joined.set(binary, json.length);
      payload = joined;
      headers['content-type'] = 'application/octet-stream';
      headers[JSON_LENGTH_HEADER] = String(json.length);
    } else if (payload !== undefined) {
      headers['content-type'] = 'application/json';
    }
    const attempts = this.options.retries + 1;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw cancelled();
      const timeout = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let answer: HttpAnswer | undefined;
      let failure: DaxError | undefined;
      let retryable = false;
      this.requests++;
      try {
        // oxlint-disable-next-line unicorn/no-invalid-fetch-options -- a GET has no payload (undefined), only POST carries one
        const response = await fetch(url, { method, headers, body: payload, signal: combined });
        const bytes = await readBody(response, maxBytes, `${method} ${url}`);
        const jsonLength = Number(response.headers.get(JSON_LENGTH_HEADER) ?? NaN);
        const split =
          Number.isInteger(jsonLength) && jsonLength >= 0 && jsonLength <= bytes.length ? jsonLength : bytes.length;
        const text = new TextDecoder().decode(bytes.subarray(0, split));
        answer = {
          status: response.status,
          text,
          json: parseJson(text),
          headers: response.headers,
          ...(split < bytes.length ? { binary: bytes.subarray(split) } : {}),
        };
        retryable = RETRY_STATUS.has(answer.status);
      } catch (error) {
        if (signal?.aborted) throw cancelled();
        if (error instanceof DaxError) throw error;
        const tried = attempt + 1 === 1 ? '' : ` (${attempt + 1} attempts)`;
        if (timeout.aborted) {
          // The deadline is the request's, not the attempt's: nothing is left for a retry.
          retryable = false;
          failure = new DaxError(
            'model',
            `${method} ${url} timed out after ${this.options.timeoutMs} ms${tried} (the deadline of one request, its retries included). ` +
              (method === 'POST'
                ? 'Raise "endpoint.timeoutMs", or lower "batchSize", if the server is slow.'
                : 'Raise "endpoint.timeoutMs" if the server is slow.'),
            undefined,
            { cause: error },
          );
        } else {
          const code = errorCode(error) ?? 'network error';
          retryable = RETRY_CODES.has(code);
          const what = UNREACHABLE_CODES.has(code)
            ? `cannot reach ${url}: ${code} — ${code === 'ENOTFOUND' ? 'no such host; check "endpoint.url"' : 'is the server running?'}`
            : `the connection to ${url} failed: ${code} (${this.redact(firstLine(causeOf(error), 200))})${code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' ? ' — the server closed it' : ''}.`;
          failure = new DaxError('model', `${what}${tried}`, undefined, { cause: error });
        }
      }
      if (answer && nestedDeeperThan(answer.json, MAX_JSON_DEPTH)) {
        throw new DaxError(
          'model',
          `the answer to ${method} ${url} nests JSON more than ${MAX_JSON_DEPTH} levels deep: that is not an Open Inference Protocol answer.`,
        );
      }
      const backoff = Math.min(this.options.maxBackoffMs ?? 30_000, (this.options.backoffMs ?? 250) * 2 ** attempt);
      const asked = answer ? retryAfterMs(answer.headers.get('retry-after')) : undefined;
      const delay =
        asked !== undefined
          ? Math.min(asked, this.options.maxBackoffMs ?? 30_000)
          : backoff * (0.5 + Math.random() / 2);
      // A retry that would start after the deadline is not made: the last answer (or failure) is the request's.
      if (!retryable || attempt + 1 >= attempts || Date.now() + delay >= deadline) {
        if (failure) throw failure;
        return { ...answer!, attempts: attempt + 1 };
      }
      this.retries++;
      await sleep(delay, signal);
    }
  }

  /** A model error for an HTTP answer that is not a success: status, route and the server's message. */
  httpError(method: string, route: string, answer: HttpAnswer, context = ''): DaxError {
    const n = answer.attempts === undefined ? this.options.retries : answer.attempts - 1;
    const retried = RETRY_STATUS.has(answer.status) && n > 0 ? ` (after ${n} ${n === 1 ? 'retry' : 'retries'})` : '';
    return new DaxError(
      'model',
      `${context}HTTP ${answer.status} from ${method} ${this.options.url}${route}${retried}: ${this.redact(serverMessage(answer))}`,
    );
  }
}

/** What undici's "fetch failed" is about: its cause, where there is one. */
function causeOf(error: unknown): unknown {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? cause : error;
}
