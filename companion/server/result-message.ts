/**
 * Turns a stored job result into a protocol `result` frame. URLs are made at send time, not stored, because
 * they carry the port and the token, which may change between runs.
 */
import type { ArtifactFile, ResultMessage } from '../protocol/messages';
import type { StoredResult } from './job-store';

export interface ArtifactUrls {
  /** The absolute URL of one output file of a job, with the token. */
  fileUrl(jobId: string, name: string): string;
}

export function toResultMessage(jobId: string, result: StoredResult, urls: ArtifactUrls): ResultMessage {
  const base = { type: 'result' as const, jobId, elapsedMs: result.elapsedMs, ...(result.sourceJobId ? { sourceJobId: result.sourceJobId } : {}) };
  if (!result.montage || result.kind === 'analyse') return { ...base, kind: 'analyse', analysis: result.analysis };
  const montage = result.montage;
  const files: ArtifactFile[] = montage.files.map((file) => ({ name: file.name, format: file.format, sizeBytes: file.sizeBytes, url: urls.fileUrl(jobId, file.name) }));
  return {
    ...base,
    kind: result.kind,
    analysis: result.analysis,
    montage: {
      plan: montage.plan,
      chosen: montage.chosen,
      musicEmotion: montage.musicEmotion,
      files,
      previewUrl: montage.preview === null ? null : urls.fileUrl(jobId, montage.preview),
      report: montage.report,
    },
  };
}
