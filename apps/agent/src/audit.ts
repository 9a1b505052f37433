import { appendFileSync, existsSync, renameSync, statSync } from 'node:fs';

/** A log of every payload sent, one JSON line each; rotated at `maxBytes`, keeping `keep` old files. */
export class AuditLog {
  readonly #path: string;
  readonly #maxBytes: number;
  readonly #keep: number;

  constructor(path: string, maxBytes = 10 * 1024 * 1024, keep = 3) {
    this.#path = path;
    this.#maxBytes = maxBytes;
    this.#keep = keep;
  }

  append(at: Date, kind: string, payload: unknown): void {
    if (existsSync(this.#path) && statSync(this.#path).size >= this.#maxBytes) this.#rotate();
    appendFileSync(this.#path, `${JSON.stringify({ at: at.toISOString(), kind, payload })}\n`, { mode: 0o600 });
  }

  #rotate(): void {
    for (let i = this.#keep - 1; i >= 1; i--) if (existsSync(`${this.#path}.${i}`)) renameSync(`${this.#path}.${i}`, `${this.#path}.${i + 1}`);
    renameSync(this.#path, `${this.#path}.1`);
  }
}
