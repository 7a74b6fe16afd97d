/**
 * The Premiere panel's UI in a plain browser page, with FakePremiereHost in place of Premiere: what the
 * headless-Chromium test drives by clicks. The page script reads `window.__harness` (sequences, companion
 * URL) set by the test before load, and exposes the fake host and the controller for the test to inspect.
 */
import type { HostSequence, SocketLike } from '../host';
import { PanelController } from '../panel-controller';
import { mountPanel } from '../ui/panel-view';
import { FakePremiereHost, type FakePlatform } from './fake-premiere-host';

interface HarnessConfig {
  readonly sequences: HostSequence[];
  readonly url: string;
  readonly pickedFile?: string;
  /** Default 'mac'. */
  readonly platform?: FakePlatform;
  /** Mount with UXP's Spectrum widgets (sp-button, sp-textfield), defined here as UXP gives them. */
  readonly spectrum?: boolean;
}

const config = (window as unknown as { __harness?: HarnessConfig }).__harness ?? { sequences: [], url: '' };
const platform = config.platform ?? 'mac';
if (platform === 'mac') {
  // UXP on macOS cannot read a password field's value (known issue): model it, so a panel that relied on one
  // would send an empty token here too.
  const descriptor = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
  Object.defineProperty(HTMLInputElement.prototype, 'value', {
    configurable: true,
    get(this: HTMLInputElement) {
      return this.type === 'password' ? '' : (descriptor?.get?.call(this) as string);
    },
    set(this: HTMLInputElement, value: string) {
      descriptor?.set?.call(this, value);
    },
  });
}
if (config.spectrum) {
  // What the panel uses of UXP's built-in Spectrum widgets: sp-button (click, disabled) and sp-textfield (value,
  // input and change events). A browser has neither; these stand-ins behave alike and look like them.
  class SpButton extends HTMLElement {
    get disabled(): boolean {
      return this.hasAttribute('disabled');
    }
    set disabled(value: boolean) {
      this.toggleAttribute('disabled', value);
    }
    connectedCallback(): void {
      this.setAttribute('role', 'button');
      this.style.cssText = 'display:inline-block;padding:3px 12px;border-radius:14px;border:2px solid #8a8a8a;color:#eee;cursor:pointer;font-size:12px;';
      if (this.getAttribute('variant') === 'cta') this.style.backgroundColor = '#1473e6';
    }
  }
  class SpTextfield extends HTMLElement {
    private readonly input = document.createElement('input');
    constructor() {
      super();
      this.input.style.cssText = 'width:100%;box-sizing:border-box;background:#1b1b1b;color:#eee;border:1px solid #5a5a5a;border-radius:4px;padding:3px;';
      this.input.addEventListener('input', () => this.dispatchEvent(new Event('input')));
      this.input.addEventListener('change', () => this.dispatchEvent(new Event('change')));
      this.input.addEventListener('keydown', (event) => this.dispatchEvent(new KeyboardEvent('keydown', { key: event.key })));
    }
    get value(): string {
      return this.input.value;
    }
    set value(value: string) {
      this.input.value = value;
    }
    connectedCallback(): void {
      this.style.display = 'inline-block';
      this.input.placeholder = this.getAttribute('placeholder') ?? '';
      if (!this.input.isConnected) this.appendChild(this.input);
    }
  }
  customElements.define('sp-button', SpButton);
  customElements.define('sp-textfield', SpTextfield);
}
const host = new FakePremiereHost({ sequences: config.sequences, platform, ...(config.pickedFile ? { pickedFile: config.pickedFile } : {}) });
const controller = new PanelController({
  host,
  socketFactory: (url, protocol) => new WebSocket(url, protocol) as unknown as SocketLike,
  fetch: (url, init) => window.fetch(url, init),
  url: config.url,
  token: '',
  clientName: 'panel harness',
});
mountPanel(document.getElementById('app') ?? document.body, controller, { spectrum: config.spectrum === true });
Object.assign(window, { __fakeHost: host, __controller: controller });
