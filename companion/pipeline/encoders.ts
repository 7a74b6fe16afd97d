/** Picks the emotion encoders for a job from the extension host: the defaults, or the ids a user configured. */
import { MontageError } from '../core/errors';
import type { MusicEmotionEncoder, ShotEmotionEncoder } from '../core/pipeline';
import { defaultEncoderIds, type EncoderSelection } from '../analysis/emotion/index';
import type { ExtensionHost } from '../host/index';

export async function resolveEncoders(host: ExtensionHost, selection: EncoderSelection = defaultEncoderIds): Promise<{ shot: ShotEmotionEncoder[]; music: MusicEmotionEncoder[] }> {
  const shot: ShotEmotionEncoder[] = [];
  const music: MusicEmotionEncoder[] = [];
  for (const id of [...selection.shot, ...selection.music]) {
    const encoder = await host.getEmotionEncoder(id);
    const expected = selection.shot.includes(id) ? 'shot' : 'music';
    if (encoder.kind !== expected) {
      throw new MontageError('AM_ERR_INVALID_ARGUMENT', `Emotion encoder "${id}" encodes ${encoder.kind}s, but was configured as a ${expected} encoder.`, { where: { field: `${expected}-encoders`, extension: id } });
    }
    if (encoder.kind === 'shot') shot.push(encoder);
    else music.push(encoder);
  }
  return { shot, music };
}
