/**
 * Validation of extension manifests (package.json with `contributes` and `engines["auto-montage"]`).
 * Untyped JSON is checked at the boundary and every problem is collected with the JSON path of the bad key,
 * not only the first. Pure: the caller reads the file.
 */
import type {
  EmotionEncoderContribution,
  ExporterContribution,
  ExporterOptionContribution,
  ExtensionContributions,
  ExtensionManifest,
  StageContribution,
} from '../api/auto-montage';
import type { Diagnostic } from '../core/errors';
import { parseRange, parseVersion, satisfies } from './semver-range';

/** An extension id: an npm-style package name, optionally scoped. */
const EXTENSION_ID = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
/** A contributed id (exporter, encoder, detector, tracker). */
const CONTRIBUTION_ID = /^[a-z0-9][a-z0-9._-]*$/;

export interface ManifestCheck {
  /** Present when the manifest has no problems. */
  readonly manifest?: ExtensionManifest;
  readonly diagnostics: readonly Diagnostic[];
}

/** The contribution lists the host knows, by manifest key. */
export const CONTRIBUTION_KINDS = ['exporters', 'emotionEncoders', 'shotDetectors', 'barTrackers'] as const;
export type ContributionKind = (typeof CONTRIBUTION_KINDS)[number];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a parsed package.json. `file` names it in diagnostics; `apiVersion` is the host's API version that
 * `engines["auto-montage"]` must accept.
 */
export function checkManifest(raw: unknown, file: string, apiVersion: string): ManifestCheck {
  const diagnostics: Diagnostic[] = [];
  const extensionId = isRecord(raw) && typeof raw.name === 'string' ? raw.name : undefined;
  const problem = (field: string, message: string) =>
    diagnostics.push({
      code: 'AM_ERR_EXTENSION_MANIFEST',
      message: `${extensionId ? `extension "${extensionId}": ` : ''}${message}`,
      where: { file, field, ...(extensionId ? { extension: extensionId } : {}) },
    });
  const text = (value: unknown, field: string, options: { optional?: boolean; pattern?: RegExp; what?: string } = {}): string | undefined => {
    if (value === undefined && options.optional) return undefined;
    if (typeof value !== 'string' || value.length === 0) {
      problem(field, `"${field}" must be a non-empty string`);
      return undefined;
    }
    if (options.pattern && !options.pattern.test(value)) problem(field, `"${field}" ${options.what ?? `must match ${options.pattern}`}, got "${value}"`);
    return value;
  };

  if (!isRecord(raw)) {
    problem('', 'package.json must hold a JSON object');
    return { diagnostics };
  }
  text(raw.name, 'name', { pattern: EXTENSION_ID, what: 'must be a lower-case package name such as "my-exporter" or "@me/my-exporter"' });
  const version = text(raw.version, 'version');
  if (version !== undefined && !parseVersion(version)) problem('version', `"version" must be a semver version such as "1.0.0", got "${version}"`);
  text(raw.displayName, 'displayName', { optional: true });
  text(raw.description, 'description', { optional: true });
  const main = text(raw.main, 'main', { optional: true });
  if (main !== undefined && (main.startsWith('/') || /^[A-Za-z]:/.test(main) || main.split(/[\\/]/).includes('..'))) {
    problem('main', `"main" must be a path inside the extension folder, got "${main}"`);
  }

  if (!isRecord(raw.engines)) {
    problem('engines', '"engines" must be an object with an "auto-montage" version range, e.g. { "auto-montage": "^0.1.0" }');
  } else {
    const range = text(raw.engines['auto-montage'], 'engines.auto-montage');
    if (range !== undefined) {
      if (!parseRange(range)) problem('engines.auto-montage', `"engines.auto-montage" is not a version range: "${range}"`);
      else if (!satisfies(apiVersion, range)) problem('engines.auto-montage', `needs auto-montage API "${range}", but this host provides ${apiVersion}`);
    }
  }

  if (!isRecord(raw.contributes)) {
    problem('contributes', '"contributes" must be an object (exporters, emotionEncoders, shotDetectors, barTrackers)');
  } else {
    const seen = new Map<string, string>();
    for (const kind of CONTRIBUTION_KINDS) {
      const list = raw.contributes[kind];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        problem(`contributes.${kind}`, `"contributes.${kind}" must be an array`);
        continue;
      }
      list.forEach((item: unknown, index) => {
        const at = `contributes.${kind}[${index}]`;
        if (!isRecord(item)) {
          problem(at, `"${at}" must be an object`);
          return;
        }
        const id = text(item.id, `${at}.id`, { pattern: CONTRIBUTION_ID, what: 'must be lower-case letters, digits, ".", "_" or "-"' });
        if (id !== undefined) {
          const key = `${kind}:${id}`;
          const earlier = seen.get(key);
          if (earlier) problem(`${at}.id`, `"${at}.id" repeats the id "${id}" of ${earlier}`);
          else seen.set(key, at);
        }
        if (kind === 'exporters') checkExporter(item, at, text, problem);
        else if (kind === 'emotionEncoders') {
          if (item.kind !== 'shot' && item.kind !== 'music') problem(`${at}.kind`, `"${at}.kind" must be "shot" or "music"`);
          text(item.label, `${at}.label`, { optional: true });
        } else text(item.label, `${at}.label`, { optional: true });
      });
    }
  }

  if (diagnostics.length > 0) return { diagnostics };
  const contributes = raw.contributes as Record<string, unknown>;
  const manifest: ExtensionManifest = {
    name: raw.name as string,
    version: raw.version as string,
    ...(typeof raw.displayName === 'string' ? { displayName: raw.displayName } : {}),
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    ...(main !== undefined ? { main } : {}),
    engines: { 'auto-montage': (raw.engines as Record<string, string>)['auto-montage'] as string },
    contributes: {
      exporters: (contributes.exporters as ExporterContribution[] | undefined) ?? [],
      emotionEncoders: (contributes.emotionEncoders as EmotionEncoderContribution[] | undefined) ?? [],
      shotDetectors: (contributes.shotDetectors as StageContribution[] | undefined) ?? [],
      barTrackers: (contributes.barTrackers as StageContribution[] | undefined) ?? [],
    } satisfies ExtensionContributions,
  };
  return { manifest, diagnostics };
}

function checkExporter(
  item: Record<string, unknown>,
  at: string,
  text: (value: unknown, field: string, options?: { optional?: boolean; pattern?: RegExp; what?: string }) => string | undefined,
  problem: (field: string, message: string) => void,
): void {
  text(item.label, `${at}.label`);
  text(item.fileExtension, `${at}.fileExtension`, { pattern: /^\.[A-Za-z0-9][A-Za-z0-9._-]*$/, what: 'must start with a dot, e.g. ".xml"' });
  if (item.options === undefined) return;
  if (!Array.isArray(item.options)) {
    problem(`${at}.options`, `"${at}.options" must be an array`);
    return;
  }
  const names = new Set<string>();
  item.options.forEach((option: unknown, index) => {
    const field = `${at}.options[${index}]`;
    if (!isRecord(option)) {
      problem(field, `"${field}" must be an object`);
      return;
    }
    const name = text(option.name, `${field}.name`, { pattern: /^[a-z][A-Za-z0-9]*$/, what: 'must be a camelCase name' });
    if (name !== undefined) {
      if (name === 'baseName') problem(`${field}.name`, `"${field}.name" may not be "baseName" (the host sets it)`);
      if (names.has(name)) problem(`${field}.name`, `"${field}.name" repeats the option "${name}"`);
      names.add(name);
    }
    text(option.description, `${field}.description`);
    const type = option.type;
    if (type !== 'string' && type !== 'number' && type !== 'boolean' && type !== 'enum') {
      problem(`${field}.type`, `"${field}.type" must be "string", "number", "boolean" or "enum"`);
      return;
    }
    if (type === 'enum') {
      if (!Array.isArray(option.values) || option.values.length === 0 || !option.values.every((v) => typeof v === 'string' && v.length > 0)) {
        problem(`${field}.values`, `"${field}.values" must be a non-empty array of strings for an enum option`);
        return;
      }
    }
    const problemText = optionValueProblem(option as unknown as ExporterOptionContribution, option.default);
    if (problemText) problem(`${field}.default`, `"${field}.default" ${problemText}`);
  });
}

/** Why `value` does not fit `option` (undefined when it fits). Strings from a command line are not coerced here. */
export function optionValueProblem(option: ExporterOptionContribution, value: unknown): string | undefined {
  switch (option.type) {
    case 'string':
      return typeof value === 'string' ? undefined : 'must be a string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a finite number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'enum':
      return typeof value === 'string' && (option.values ?? []).includes(value) ? undefined : `must be one of ${(option.values ?? []).map((v) => `"${v}"`).join(', ')}`;
  }
}
