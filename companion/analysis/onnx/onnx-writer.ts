/**
 * A small ONNX model writer: a graph builder and a hand-written protobuf encoder for the handful of
 * onnx.proto messages a converted convolutional network needs (ModelProto, GraphProto, NodeProto,
 * AttributeProto, TensorProto, ValueInfoProto). Field numbers follow onnx/onnx.proto (IR version 8).
 * Repeated scalars are written unpacked, which every protobuf parser accepts for proto2 files.
 * Output is deterministic: the same graph always encodes to the same bytes (so a checksum can pin it).
 */

/** ONNX TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

const IR_VERSION = 8;

// --- protobuf wire encoding -------------------------------------------------------------------------

class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];

  private flushScratch(): void {
    if (this.scratch.length) {
      this.chunks.push(Uint8Array.from(this.scratch));
      this.scratch = [];
    }
  }

  private varint(value: bigint): void {
    // Negative int64 values are written as their 64-bit two's complement (10 bytes).
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.scratch.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.scratch.push(Number(v));
  }

  private tag(field: number, wireType: number): void {
    this.varint(BigInt((field << 3) | wireType));
  }

  int(field: number, value: number | bigint): void {
    this.tag(field, 0);
    this.varint(BigInt(value));
  }

  float(field: number, value: number): void {
    this.tag(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.scratch.push(...bytes);
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, 2);
    this.varint(BigInt(value.length));
    this.flushScratch();
    this.chunks.push(value);
  }

  string(field: number, value: string): void {
    this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, write: (writer: ProtoWriter) => void): void {
    const inner = new ProtoWriter();
    write(inner);
    this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    this.flushScratch();
    const length = this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const out = new Uint8Array(length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

// --- graph model ------------------------------------------------------------------------------------

/** An attribute value: number → INT when integral and `int` is forced, else FLOAT; arrays → INTS/FLOATS. */
export type AttributeValue =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly string: string };

export interface OnnxNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: typeof ONNX_FLOAT | typeof ONNX_INT64;
  readonly data: Float32Array | BigInt64Array;
}

/** A graph input or output: a float tensor whose dims are numbers or symbolic names ("batch"). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly dims: readonly (number | string)[];
  readonly elemType?: number;
}

/** Builds a graph node by node; {@link encode} turns it into ONNX bytes. */
export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  readonly inputs: OnnxValueInfo[] = [];
  readonly outputs: OnnxValueInfo[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  /** A fresh, readable value name. */
  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  /** Adds a float initializer and returns its name. */
  constant(name: string, dims: readonly number[], data: Float32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`initializer ${name}: ${data.length} values for dims [${dims.join(',')}]`);
    this.initializers.push({ name, dims, dataType: ONNX_FLOAT, data });
    return name;
  }

  /** Adds an int64 initializer (shapes, pads) and returns its name. */
  constantInt64(name: string, values: readonly number[]): string {
    this.initializers.push({ name, dims: [values.length], dataType: ONNX_INT64, data: BigInt64Array.from(values.map((v) => BigInt(v))) });
    return name;
  }

  /** Adds a node with one output and returns the output's name. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, output?: string): string {
    const out = output ?? this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, inputs, outputs: [out], name: `${opType}_${this.nodes.length}`, attributes });
    return out;
  }

  input(name: string, dims: readonly (number | string)[]): string {
    this.inputs.push({ name, dims });
    return name;
  }

  output(name: string, dims: readonly (number | string)[]): void {
    this.outputs.push({ name, dims });
  }
}

function writeAttribute(w: ProtoWriter, name: string, value: AttributeValue): void {
  w.string(1, name);
  if ('int' in value) {
    w.int(3, value.int);
    w.int(20, 2);
  } else if ('float' in value) {
    w.float(2, value.float);
    w.int(20, 1);
  } else if ('ints' in value) {
    for (const v of value.ints) w.int(8, v);
    w.int(20, 7);
  } else if ('floats' in value) {
    for (const v of value.floats) w.float(7, v);
    w.int(20, 6);
  } else {
    w.bytes(4, new TextEncoder().encode(value.string));
    w.int(20, 3);
  }
}

function writeTensor(w: ProtoWriter, tensor: OnnxTensor): void {
  for (const d of tensor.dims) w.int(1, d);
  w.int(2, tensor.dataType);
  w.string(8, tensor.name);
  // raw_data is little-endian; typed arrays on every supported platform are little-endian too.
  const data = tensor.data;
  w.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function writeValueInfo(w: ProtoWriter, info: OnnxValueInfo): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int(1, info.elemType ?? ONNX_FLOAT);
      tensorType.message(2, (shape) => {
        for (const d of info.dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

export interface EncodeOptions {
  readonly opsetVersion?: number;
  readonly producerName?: string;
  readonly docString?: string;
  /** Extra key/value metadata stored in the model (labels, source, licence). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Encodes the graph as an ONNX ModelProto. */
export function encodeModel(graph: OnnxGraphBuilder, options: EncodeOptions = {}): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, IR_VERSION);
  w.string(2, options.producerName ?? 'auto-montage');
  w.string(3, '1');
  if (options.docString) w.string(6, options.docString);
  w.message(7, (g) => {
    for (const node of graph.nodes) {
      g.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, node.name);
        n.string(4, node.opType);
        for (const [name, value] of Object.entries(node.attributes)) n.message(5, (a) => writeAttribute(a, name, value));
      });
    }
    g.string(2, graph.name);
    for (const tensor of graph.initializers) g.message(5, (t) => writeTensor(t, tensor));
    for (const input of graph.inputs) g.message(11, (v) => writeValueInfo(v, input));
    for (const output of graph.outputs) g.message(12, (v) => writeValueInfo(v, output));
  });
  w.message(8, (opset) => {
    opset.string(1, '');
    opset.int(2, options.opsetVersion ?? 13);
  });
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    w.message(14, (entry) => {
      entry.string(1, key);
      entry.string(2, value);
    });
  }
  return w.finish();
}
