/**
 * Pairing: the short code `auto-montage serve` prints, which the Premiere panel sends once instead of the
 * 64-digit token (UXP cannot read a password field on macOS, and nobody wants to type 64 hex digits). A right
 * code is used up at once and the next one is made (and printed, through `onCode`); the panel gets the token in
 * its `welcome` and keeps it in UXP secureStorage. Wrong codes go through the server's AuthThrottle like wrong
 * tokens, so 40 bits of code cannot be guessed in any useful time.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';

/** Crockford-style: no 0/O, 1/I/L or U, so a code read off a terminal is typed right. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 8;

/** "k7qm 4xz2", "K7QM-4XZ2" and "k7qm4xz2" are the same code. */
export function normalisePairingCode(text: string): string {
  return text.toUpperCase().replace(/[\s-]+/g, '');
}

export class Pairing {
  private code: string;

  constructor(private readonly onCode: (display: string) => void = () => {}) {
    this.code = makeCode();
  }

  /** The current code as printed: "K7QM-4XZ2". */
  get display(): string {
    return `${this.code.slice(0, 4)}-${this.code.slice(4)}`;
  }

  /** Checks a code in constant time; a right one is used up and the next code announced. */
  redeem(given: string): boolean {
    const a = Buffer.from(normalisePairingCode(given));
    const b = Buffer.from(this.code);
    const right = a.length === b.length && timingSafeEqual(a, b);
    if (right) {
      this.code = makeCode();
      this.onCode(this.display);
    }
    return right;
  }
}

function makeCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}
