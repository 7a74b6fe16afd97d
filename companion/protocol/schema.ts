/**
 * Auto-Montage companion protocol v1: runtime validation of client frames (zod 4). The types live in
 * ./messages.ts; a compile-time check below keeps the schemas and the types in step.
 *
 * `parseClientFrame` is the one boundary where untyped text becomes a ClientMessage: it never throws, and
 * every refusal is a WireError with an AM_ERR_PROTOCOL_* code and a message naming the bad key.
 */
import { z } from 'zod';
import type { Diagnostic } from '../core/errors';
import type { EmotionLabel } from '../core/montage';
import { CLIENT_MESSAGE_TYPES, GRANULARITY_OPTIONS, MAX_EMOTION_ARC_POINTS, MUSIC_MOODS, MUSIC_OPTION_LIMITS, RELAX_KINDS, type ClientMessage, type ClientMessageType, type MusicMood, type WireError } from './messages';

const MAX_PATH_CHARS = 4096;
const MAX_INDICES = 10_000;

// Compile-time: the protocol's moods are `auto` plus exactly the product's emotion labels.
const moodsAgree: [MusicMood extends 'auto' | EmotionLabel ? true : false, 'auto' | EmotionLabel extends MusicMood ? true : false] = [true, true];
void moodsAgree;

const requestId = z.string().min(1).max(64);
const jobId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a job id is 1–64 lowercase letters, digits and dashes');
const seconds = z.number().finite().min(0).max(1e7);

const secondsRange = z
  .strictObject({ startSeconds: seconds, endSeconds: seconds })
  .refine((range) => range.endSeconds > range.startSeconds, { message: 'endSeconds must be greater than startSeconds', path: ['endSeconds'] });

const mediaSource = z.strictObject({
  path: z
    .string()
    .min(1)
    .max(MAX_PATH_CHARS)
    .refine((path) => !path.includes('\0'), 'a path must not contain NUL characters'),
  range: secondsRange.optional(),
});

const MAX_SOURCES = 2000;
const sourceId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a source id is 1–64 letters, digits, ".", "_" and "-"');
const movieSource = mediaSource.extend({ timelineSeconds: seconds.optional(), id: sourceId.optional() });
const sources = z
  .array(movieSource)
  .min(1)
  .max(MAX_SOURCES)
  .refine((list) => new Set(list.filter((s) => s.id !== undefined).map((s) => s.id)).size === list.filter((s) => s.id !== undefined).length, 'two sources have the same id');
const frameRate = z.strictObject({ num: z.number().int().min(1).max(1_000_000), den: z.number().int().min(1).max(1_000_000) });
const shotIndex = z.number().int().min(0).max(10_000_000);
const shotIndices = z.array(z.union([shotIndex, z.strictObject({ source: sourceId, shot: shotIndex })])).max(MAX_INDICES);
/** `movie` (one file, the older shorthand) or `sources`: exactly one of them. */
const oneFootage = (frame: { movie?: unknown; sources?: unknown }, context: z.core.$RefinementCtx) => {
  if ((frame.movie === undefined) === (frame.sources === undefined)) {
    context.addIssue({ code: 'custom', message: frame.movie === undefined ? '"movie" is required (or "sources", a list of media ranges)' : 'give "movie" or "sources", not both', path: [frame.movie === undefined ? 'movie' : 'sources'] });
  }
};

const unitValue = z.number().finite().min(-1).max(1);
const emotionPoint = z.strictObject({ valence: unitValue, arousal: unitValue });
const moodTarget = z.union([z.enum(MUSIC_MOODS), emotionPoint]);
const emotionArc = z
  .array(z.strictObject({ seconds, valence: unitValue, arousal: unitValue }))
  .max(MAX_EMOTION_ARC_POINTS)
  .refine((points) => points.every((point, i) => i === 0 || point.seconds > points[i - 1]!.seconds), 'the points\' seconds must increase');

const montageOptions = z.strictObject({
  scenes: z.number().int().min(1).max(1000).optional(),
  mode: z.enum(['hard', 'soft']).optional(),
  granularity: z.enum(GRANULARITY_OPTIONS).optional(),
  relax: z.union([z.enum(['auto', 'none', ...RELAX_KINDS]), z.array(z.enum(RELAX_KINDS)).max(RELAX_KINDS.length)]).optional(),
  trim: z.boolean().optional(),
  arc: z.boolean().optional(),
  pins: shotIndices.optional(),
  bans: shotIndices.optional(),
  beatsPerBar: z.number().int().min(MUSIC_OPTION_LIMITS.beatsPerBar.min).max(MUSIC_OPTION_LIMITS.beatsPerBar.max).optional(),
  downbeatShift: z.number().int().min(MUSIC_OPTION_LIMITS.downbeatShift.min).max(MUSIC_OPTION_LIMITS.downbeatShift.max).optional(),
  bpm: z.number().finite().min(MUSIC_OPTION_LIMITS.bpm.min).max(MUSIC_OPTION_LIMITS.bpm.max).optional(),
  firstDownbeatSeconds: seconds.optional(),
  mood: z.enum(MUSIC_MOODS).optional(),
  moodTarget: moodTarget.optional(),
  emotionArc: emotionArc.optional(),
  keepTextShots: z.boolean().optional(),
  keepDuplicates: z.boolean().optional(),
  keepBlankShots: z.boolean().optional(),
  keepShots: z.array(shotIndex).max(MAX_INDICES).optional(),
  timecode: z.enum(['ndf', 'df']).optional(),
});

const formats = z
  .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a format id is lowercase letters, digits and dashes'))
  .min(1)
  .max(16);

export const helloSchema = z.strictObject({
  type: z.literal('hello'),
  protocol: z.number().int(),
  token: z.string().max(256),
  pairingCode: z.string().max(32).optional(),
  client: z.string().max(200).optional(),
});

export const analyseSchema = z
  .strictObject({
    type: z.literal('analyse'),
    requestId,
    movie: mediaSource.optional(),
    sources: sources.optional(),
    rate: frameRate.optional(),
    music: mediaSource,
    options: montageOptions.pick({ beatsPerBar: true, downbeatShift: true, bpm: true, firstDownbeatSeconds: true, mood: true, granularity: true }).optional(),
  })
  .superRefine(oneFootage);

export const montageSchema = z
  .strictObject({
    type: z.literal('montage'),
    requestId,
    movie: mediaSource.optional(),
    sources: sources.optional(),
    rate: frameRate.optional(),
    music: mediaSource,
    options: montageOptions.optional(),
    formats: formats.optional(),
    preview: z.boolean().optional(),
  })
  .superRefine(oneFootage);

export const resolveSchema = z.strictObject({
  type: z.literal('resolve'),
  requestId,
  jobId,
  options: montageOptions.optional(),
  formats: formats.optional(),
  preview: z.boolean().optional(),
});

export const cancelSchema = z.strictObject({ type: z.literal('cancel'), requestId, jobId });
export const jobQuerySchema = z.strictObject({ type: z.literal('job'), requestId, jobId });
export const pingSchema = z.strictObject({ type: z.literal('ping'), requestId });
export const fileSchema = z.strictObject({ type: z.literal('file'), requestId, jobId, name: z.string().min(1).max(200) });

/** One schema per client message type. */
export const CLIENT_SCHEMAS = {
  hello: helloSchema,
  analyse: analyseSchema,
  montage: montageSchema,
  resolve: resolveSchema,
  cancel: cancelSchema,
  job: jobQuerySchema,
  ping: pingSchema,
  file: fileSchema,
} as const satisfies Record<ClientMessageType, z.ZodType>;

export const clientMessageSchema = z.discriminatedUnion('type', [helloSchema, analyseSchema, montageSchema, resolveSchema, cancelSchema, jobQuerySchema, pingSchema, fileSchema]);

// Compile-time: what the schemas accept is assignable to the declared types (and the reverse).
type Parsed = z.infer<typeof clientMessageSchema>;
type DeepReadonly<T> = T extends readonly (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
const typesAgree: [Parsed extends ClientMessage ? true : false, ClientMessage extends DeepReadonly<Parsed> ? true : false] = [true, true];
void typesAgree;

/** The outcome of reading one frame. `requestId` is echoed in the error reply when it could be read. */
export type FrameParse = { readonly ok: true; readonly message: ClientMessage } | { readonly ok: false; readonly error: WireError; readonly requestId?: string };

/**
 * Reads one text frame. Checks, in order: size (bytes), JSON, object with a string `type`, known type, the
 * type's schema. Never throws.
 */
export function parseClientFrame(text: string, maxFrameBytes: number, bytes: number = byteLength(text)): FrameParse {
  if (bytes > maxFrameBytes) {
    return fail('AM_ERR_PROTOCOL_FRAME_TOO_LARGE', `The frame is ${bytes} bytes; the limit is ${maxFrameBytes}.`, undefined, { bytes, maxFrameBytes });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail('AM_ERR_PROTOCOL_MALFORMED', `The frame is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('AM_ERR_PROTOCOL_MALFORMED', `A frame must be a JSON object, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}.`);
  }
  const record = value as Record<string, unknown>;
  const id = typeof record.requestId === 'string' && record.requestId.length >= 1 && record.requestId.length <= 64 ? record.requestId : undefined;
  if (typeof record.type !== 'string') {
    return fail('AM_ERR_PROTOCOL_MALFORMED', 'A frame must have a string "type".', id, undefined, 'type');
  }
  const type = record.type;
  if (!(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return fail('AM_ERR_PROTOCOL_UNKNOWN_TYPE', `Unknown frame type ${JSON.stringify(type.slice(0, 64))}; expected one of ${CLIENT_MESSAGE_TYPES.join(', ')}.`, id, undefined, 'type');
  }
  const schema: z.ZodType = CLIENT_SCHEMAS[type as ClientMessageType];
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data as ClientMessage };
  const diagnostics: Diagnostic[] = parsed.error.issues.slice(0, 20).map((issue) => ({
    code: 'AM_ERR_PROTOCOL_MALFORMED',
    message: describeIssue(issue),
    where: { field: fieldPath(issue) },
  }));
  const first = diagnostics[0]!;
  return {
    ok: false,
    requestId: id,
    error: {
      code: 'AM_ERR_PROTOCOL_MALFORMED',
      message: `Bad "${type}" frame: ${first.message}${diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : ''}`,
      where: first.where,
      diagnostics,
    },
  };
}

function fail(code: WireError['code'], message: string, requestId?: string, details?: Record<string, unknown>, field?: string): FrameParse {
  return {
    ok: false,
    ...(requestId === undefined ? {} : { requestId }),
    error: { code, message, ...(field ? { where: { field } } : {}), ...(details ? { details } : {}) },
  };
}

function fieldPath(issue: z.core.$ZodIssue): string {
  const keys = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  return keys.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join('') || '(frame)';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = fieldPath(issue);
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}${issue.path.length ? ` in ${issue.path.join('.')}` : ''}`;
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return `"${field}" is required (${issue.expected})`;
  return `"${field}": ${issue.message}`;
}

/** UTF-8 byte length without node:buffer (this file is shared with the panel). */
function byteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
