// Secrets for model endpoints (for example an API token) kept in VS Code's secret storage, never in settings: the
// worker process gets them as environment variables, so a header template `${env:NAME}` reads them as it reads
// the shell's variables. A VS Code started from a desktop launcher often has no shell variables at all.
import * as vscode from 'vscode';

const KEY_PREFIX = 'dax.env.';
const NAMES_KEY = 'dax.endpointSecretNames';
/** The names `${env:NAME}` accepts. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class EndpointSecrets {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    /** Global state: secret storage cannot list its keys, so the names are kept here (never the values). */
    private readonly state: vscode.Memento,
  ) {}

  names(): string[] {
    return this.state.get<string[]>(NAMES_KEY, []);
  }

  /** Every stored secret by name, for the worker's environment. */
  async environment(): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const name of this.names()) {
      const value = await this.secrets.get(KEY_PREFIX + name);
      if (value) env[name] = value;
    }
    return env;
  }

  /** Stores `value` under `name`; an empty value removes the secret. */
  async set(name: string, value: string): Promise<void> {
    if (!SECRET_NAME.test(name))
      throw new Error(`"${name}" is not a variable name (letters, digits and _, not starting with a digit).`);
    const others = this.names().filter((known) => known !== name);
    if (value === '') {
      await this.secrets.delete(KEY_PREFIX + name);
      await this.state.update(NAMES_KEY, others);
    } else {
      await this.secrets.store(KEY_PREFIX + name, value);
      await this.state.update(NAMES_KEY, [...others, name].sort());
    }
  }

  /** Fires when a secret of ours changes, in this window or another. */
  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange((event) => {
      if (event.key.startsWith(KEY_PREFIX)) listener();
    });
  }
}

/**
 * DAX: Store a Secret for Model Endpoints…: asks for the name and (hidden) value. `name` and `value` may be passed
 * by a caller (a test, a keybinding with args) instead of asking. Resolves to the stored name, or undefined.
 */
export async function storeEndpointSecret(
  secrets: EndpointSecrets,
  name?: string,
  value?: string,
): Promise<string | undefined> {
  const chosen =
    name ??
    (await vscode.window.showInputBox({
      title: 'DAX: secret for model endpoints (1/2)',
      prompt: 'Name of the variable a header reads as ${env:NAME}',
      value: secrets.names()[0] ?? 'DAX_TOKEN',
      validateInput: (text) =>
        SECRET_NAME.test(text) ? undefined : 'Letters, digits and _, not starting with a digit.',
      ignoreFocusOut: true,
    }));
  if (!chosen) return undefined;
  const secret =
    value ??
    (await vscode.window.showInputBox({
      title: `DAX: secret for model endpoints (2/2): ${chosen}`,
      prompt: `Value of ${chosen}, kept in VS Code's secret storage (leave empty to remove it)`,
      password: true,
      ignoreFocusOut: true,
    }));
  if (secret === undefined) return undefined;
  await secrets.set(chosen, secret);
  void vscode.window.showInformationMessage(
    secret === ''
      ? `DAX: removed the secret ${chosen}.`
      : `DAX: stored the secret ${chosen}; an endpoint header reads it as \${env:${chosen}}.`,
  );
  return chosen;
}
