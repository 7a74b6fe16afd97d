/**
 * Our own TF.js → ONNX conversion of two MIT-licensed @vladmandic/face-api networks, rebuilt layer by
 * layer from their weights-only TF.js files (the architectures are those in face-api's own sources):
 * - FaceExpressionNet: 4 dense blocks of (separable) 3×3 convolutions with additive skips, AvgPool 7×7,
 *   FC 256 → 7, softmax. Input NHWC [N, 112, 112, 3] = (RGB − [122.782, 117.001, 104.298]) / 255.
 * - TinyFaceDetector: a separable-conv Tiny-YOLOv2 with one class and five anchors. Input NHWC
 *   [N, S, S, 3] = (RGB − [117.001, 114.697, 97.404]) / 255 with S a multiple of 32; output the raw grid
 *   [N, S/32, S/32, 25] (5 anchors × x, y, w, h, score), decoded by {@link decodeTinyFaceGrid}.
 * TF "SAME" padding is ONNX auto_pad SAME_UPPER; NHWC ↔ NCHW through Transpose at both ends.
 */
import { createRequire } from 'node:module';
import { dirname as pathDirname, join as pathJoin } from 'node:path';
import type { ModelBuilders } from '../onnx/model-catalogue';
import { OnnxGraphBuilder, encodeModel } from '../onnx/onnx-writer';
import { depthwiseToOnnx, hwioToOihw, readTfjsWeights, type WeightTensor } from '../onnx/tfjs-weights';

export const EXPRESSION_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;
export type ExpressionLabel = (typeof EXPRESSION_LABELS)[number];
export const EXPRESSION_MEAN_RGB = [122.782, 117.001, 104.298] as const;
export const EXPRESSION_INPUT_SIZE = 112;

export const TINY_FACE_MEAN_RGB = [117.001, 114.697, 97.404] as const;
export const TINY_FACE_ANCHORS = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
] as const;

type Weights = ReadonlyMap<string, WeightTensor>;

function need(weights: Weights, name: string): WeightTensor {
  const w = weights.get(name);
  if (!w) throw new Error(`the TF.js weights have no tensor ${name}`);
  return w;
}

function addWeight(g: OnnxGraphBuilder, name: string, w: WeightTensor): string {
  return g.constant(name, w.shape, w.data);
}

interface ConvOptions {
  readonly strides?: number;
  readonly same?: boolean;
  readonly pads?: number;
  readonly group?: number;
}

function conv(g: OnnxGraphBuilder, x: string, weight: string, bias: string | undefined, kernel: number, o: ConvOptions): string {
  const stride = o.strides ?? 1;
  const attributes: Parameters<OnnxGraphBuilder['op']>[2] = {
    kernel_shape: { ints: [kernel, kernel] },
    strides: { ints: [stride, stride] },
    group: { int: o.group ?? 1 },
  };
  if (o.same) attributes['auto_pad'] = { string: 'SAME_UPPER' };
  else attributes['pads'] = { ints: [o.pads ?? 0, o.pads ?? 0, o.pads ?? 0, o.pads ?? 0] };
  return g.op('Conv', bias ? [x, weight, bias] : [x, weight], attributes);
}

/** tf.separableConv2d + bias: depthwise 3×3 (grouped conv) then pointwise 1×1 with the bias. */
function separable(g: OnnxGraphBuilder, weights: Weights, x: string, prefix: string, o: ConvOptions): string {
  const depthwise = depthwiseToOnnx(need(weights, `${prefix}/depthwise_filter`));
  const pointwise = hwioToOihw(need(weights, `${prefix}/pointwise_filter`));
  const dw = conv(g, x, addWeight(g, `${prefix}/depthwise`, depthwise), undefined, 3, { ...o, group: depthwise.shape[0] ?? 1 });
  return conv(g, dw, addWeight(g, `${prefix}/pointwise`, pointwise), addWeight(g, `${prefix}/bias`, need(weights, `${prefix}/bias`)), 1, {});
}

function denseBlock4(g: OnnxGraphBuilder, weights: Weights, x: string, prefix: string, first: boolean): string {
  const relu = (v: string) => g.op('Relu', [v]);
  const add = (a: string, b: string) => g.op('Add', [a, b]);
  const out1 = relu(
    first
      ? conv(g, x, addWeight(g, `${prefix}/conv0/filters`, hwioToOihw(need(weights, `${prefix}/conv0/filters`))), addWeight(g, `${prefix}/conv0/bias`, need(weights, `${prefix}/conv0/bias`)), 3, { strides: 2, same: true })
      : separable(g, weights, x, `${prefix}/conv0`, { strides: 2, same: true }),
  );
  const out2 = separable(g, weights, out1, `${prefix}/conv1`, { same: true });
  const in3 = relu(add(out1, out2));
  const out3 = separable(g, weights, in3, `${prefix}/conv2`, { same: true });
  const in4 = relu(add(out1, add(out2, out3)));
  const out4 = separable(g, weights, in4, `${prefix}/conv3`, { same: true });
  return relu(add(out1, add(out2, add(out3, out4))));
}

/** Builds FaceExpressionNet as ONNX bytes: `input` [N,112,112,3] → `probs` [N,7]. */
export function buildExpressionModel(weights: Weights, metadata: Record<string, string> = {}): Uint8Array {
  const g = new OnnxGraphBuilder('face_expression');
  g.input('input', ['batch', EXPRESSION_INPUT_SIZE, EXPRESSION_INPUT_SIZE, 3]);
  let x = g.op('Transpose', ['input'], { perm: { ints: [0, 3, 1, 2] } });
  x = denseBlock4(g, weights, x, 'dense0', true);
  x = denseBlock4(g, weights, x, 'dense1', false);
  x = denseBlock4(g, weights, x, 'dense2', false);
  x = denseBlock4(g, weights, x, 'dense3', false);
  x = g.op('AveragePool', [x], { kernel_shape: { ints: [7, 7] }, strides: { ints: [2, 2] } });
  x = g.op('Flatten', [x], { axis: { int: 1 } });
  x = g.op('Gemm', [x, addWeight(g, 'fc/weights', need(weights, 'fc/weights')), addWeight(g, 'fc/bias', need(weights, 'fc/bias'))]);
  g.op('Softmax', [x], { axis: { int: 1 } }, 'probs');
  g.output('probs', ['batch', EXPRESSION_LABELS.length]);
  return encodeModel(g, { docString: 'face-api FaceExpressionNet, converted by auto-montage', metadata: { labels: EXPRESSION_LABELS.join(','), ...metadata } });
}

/** Builds the TinyFaceDetector as ONNX bytes: `input` [N,S,S,3] → `grid` [N,S/32,S/32,25]. */
export function buildTinyFaceDetectorModel(weights: Weights, metadata: Record<string, string> = {}): Uint8Array {
  const g = new OnnxGraphBuilder('tiny_face_detector');
  g.input('input', ['batch', 'height', 'width', 3]);
  const leaky = (v: string) => g.op('LeakyRelu', [v], { alpha: { float: 0.1 } });
  const maxPool = (v: string, stride: number) => g.op('MaxPool', [v], { kernel_shape: { ints: [2, 2] }, strides: { ints: [stride, stride] }, auto_pad: { string: 'SAME_UPPER' } });
  let x = g.op('Transpose', ['input'], { perm: { ints: [0, 3, 1, 2] } });
  x = leaky(conv(g, x, addWeight(g, 'conv0/filters', hwioToOihw(need(weights, 'conv0/filters'))), addWeight(g, 'conv0/bias', need(weights, 'conv0/bias')), 3, { pads: 0 }));
  x = maxPool(x, 2);
  for (const layer of ['conv1', 'conv2', 'conv3', 'conv4']) {
    x = maxPool(leaky(separable(g, weights, x, layer, { pads: 1 })), 2);
  }
  x = maxPool(leaky(separable(g, weights, x, 'conv5', { pads: 1 })), 1);
  x = conv(g, x, addWeight(g, 'conv8/filters', hwioToOihw(need(weights, 'conv8/filters'))), addWeight(g, 'conv8/bias', need(weights, 'conv8/bias')), 1, {});
  g.op('Transpose', [x], { perm: { ints: [0, 2, 3, 1] } }, 'grid');
  g.output('grid', ['batch', 'cells_y', 'cells_x', TINY_FACE_ANCHORS.length * 5]);
  return encodeModel(g, { docString: 'face-api TinyFaceDetector, converted by auto-montage', metadata: { anchors: JSON.stringify(TINY_FACE_ANCHORS), ...metadata } });
}

/** A face box in the detector's input square, in [0, 1] units of that square. */
export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly score: number;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * Decodes one grid [cells, cells, 25] (as face-api does: sigmoid offsets, exp sizes × anchors) and
 * keeps boxes above `minScore` after non-maximum suppression at `iouThreshold`.
 */
export function decodeTinyFaceGrid(grid: Float32Array, cells: number, minScore: number, iouThreshold = 0.4): FaceBox[] {
  const boxes: FaceBox[] = [];
  const anchors = TINY_FACE_ANCHORS.length;
  for (let row = 0; row < cells; row++) {
    for (let col = 0; col < cells; col++) {
      for (let a = 0; a < anchors; a++) {
        const base = ((row * cells + col) * anchors + a) * 5;
        const score = sigmoid(grid[base + 4] ?? -Infinity);
        if (score <= minScore) continue;
        const anchor = TINY_FACE_ANCHORS[a] ?? [1, 1];
        const cx = (col + sigmoid(grid[base] ?? 0)) / cells;
        const cy = (row + sigmoid(grid[base + 1] ?? 0)) / cells;
        const width = (Math.exp(grid[base + 2] ?? 0) * anchor[0]) / cells;
        const height = (Math.exp(grid[base + 3] ?? 0) * anchor[1]) / cells;
        boxes.push({ x: cx - width / 2, y: cy - height / 2, width, height, score });
      }
    }
  }
  boxes.sort((p, q) => q.score - p.score);
  const kept: FaceBox[] = [];
  for (const box of boxes) if (kept.every((k) => iou(k, box) <= iouThreshold)) kept.push(box);
  return kept;
}

function iou(a: FaceBox, b: FaceBox): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

// --- converters for the model catalogue -------------------------------------------------------------


/** The folder of @vladmandic/face-api's TF.js weights. */
export function faceApiModelDir(): string {
  const require = createRequire(import.meta.url);
  return pathJoin(pathDirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

/** Converter names used by models/models.json. */
export const FACE_MODEL_BUILDERS: ModelBuilders = {
  'faceapi-expression': () => buildExpressionModel(readTfjsWeights(pathJoin(faceApiModelDir(), 'face_expression_model-weights_manifest.json'))),
  'faceapi-tiny-face-detector': () => buildTinyFaceDetectorModel(readTfjsWeights(pathJoin(faceApiModelDir(), 'tiny_face_detector_model-weights_manifest.json'))),
};
