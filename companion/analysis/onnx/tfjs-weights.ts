/**
 * Reads TF.js "weights-only" models (a `<name>-weights_manifest.json` plus its `.bin` shards), as shipped
 * by @vladmandic/face-api, and dequantises them exactly as TF.js does (value = q · scale + min, in float32).
 * Also the layout helpers the converter needs to move TF's NHWC/HWIO tensors to ONNX's NCHW/OIHW.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MontageError } from '../../core/errors';

export interface WeightTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

interface ManifestEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
  readonly quantization?: { readonly dtype: string; readonly scale?: number; readonly min?: number };
}

interface ManifestGroup {
  readonly paths: string[];
  readonly weights: ManifestEntry[];
}

/** Loads every tensor of a TF.js weights manifest, keyed by name. Throws AM_ERR_MODEL_INVALID on a bad file. */
export function readTfjsWeights(manifestPath: string): Map<string, WeightTensor> {
  const bad = (message: string) => new MontageError('AM_ERR_MODEL_INVALID', `${manifestPath}: ${message}`, { where: { file: manifestPath } });
  let groups: ManifestGroup[];
  try {
    groups = JSON.parse(readFileSync(manifestPath, 'utf8')) as ManifestGroup[];
  } catch (error) {
    throw new MontageError('AM_ERR_MODEL_MISSING', `The TF.js weights manifest ${manifestPath} could not be read.`, { where: { file: manifestPath }, cause: error });
  }
  if (!Array.isArray(groups)) throw bad('the manifest is not a list of weight groups.');
  const out = new Map<string, WeightTensor>();
  for (const group of groups) {
    const buffers = group.paths.map((p) => readFileSync(join(dirname(manifestPath), p)));
    const bytes = Buffer.concat(buffers);
    let offset = 0;
    for (const entry of group.weights) {
      const size = entry.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      const q = entry.quantization;
      if (q) {
        const scale = q.scale ?? 1;
        const min = q.min ?? 0;
        if (q.dtype === 'uint8') {
          if (offset + size > bytes.length) throw bad(`weight ${entry.name} runs past the end of the data.`);
          for (let i = 0; i < size; i++) data[i] = (bytes[offset + i] ?? 0) * scale + min;
          offset += size;
        } else if (q.dtype === 'uint16') {
          if (offset + size * 2 > bytes.length) throw bad(`weight ${entry.name} runs past the end of the data.`);
          for (let i = 0; i < size; i++) data[i] = bytes.readUInt16LE(offset + i * 2) * scale + min;
          offset += size * 2;
        } else {
          throw bad(`weight ${entry.name} uses unsupported quantisation ${q.dtype}.`);
        }
      } else if (entry.dtype === 'float32') {
        if (offset + size * 4 > bytes.length) throw bad(`weight ${entry.name} runs past the end of the data.`);
        for (let i = 0; i < size; i++) data[i] = bytes.readFloatLE(offset + i * 4);
        offset += size * 4;
      } else {
        throw bad(`weight ${entry.name} has unsupported dtype ${entry.dtype}.`);
      }
      out.set(entry.name, { shape: entry.shape, data });
    }
    if (offset !== bytes.length) throw bad(`the weights use ${offset} of ${bytes.length} bytes.`);
  }
  return out;
}

/** TF conv filter [kh, kw, in, out] (HWIO) → ONNX [out, in, kh, kw] (OIHW). */
export function hwioToOihw(weight: WeightTensor): WeightTensor {
  const [kh = 0, kw = 0, ci = 0, co = 0] = weight.shape;
  const data = new Float32Array(weight.data.length);
  for (let h = 0; h < kh; h++)
    for (let w = 0; w < kw; w++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) data[((o * ci + i) * kh + h) * kw + w] = weight.data[((h * kw + w) * ci + i) * co + o] ?? 0;
  return { shape: [co, ci, kh, kw], data };
}

/** TF depthwise filter [kh, kw, channels, 1] → ONNX grouped conv weight [channels, 1, kh, kw]. */
export function depthwiseToOnnx(weight: WeightTensor): WeightTensor {
  const [kh = 0, kw = 0, c = 0, multiplier = 1] = weight.shape;
  if (multiplier !== 1) throw new Error(`depthwise multiplier ${multiplier} is not supported`);
  const data = new Float32Array(weight.data.length);
  for (let h = 0; h < kh; h++) for (let w = 0; w < kw; w++) for (let ch = 0; ch < c; ch++) data[(ch * kh + h) * kw + w] = weight.data[(h * kw + w) * c + ch] ?? 0;
  return { shape: [c, 1, kh, kw], data };
}
