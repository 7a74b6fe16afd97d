/**
 * The built-in emotion encoders as an extension: it registers every encoder its manifest declares,
 * through the public API only. Settings (YAMNet path, ONNX model paths, device, face gate) are read
 * when an encoder runs, from companion/analysis/emotion/config (configureEmotion or AM_* variables).
 */
import type { AutoMontageApi, ExtensionContext } from '../../../api/auto-montage';
import { FaceEncoder } from '../faces';
import { FrameAffectEncoder } from '../frame-affect';
import { MusicFeatureEncoder } from '../music-features';
import { YamnetMusicEncoder } from '../music-yamnet';
import { OnnxMusicEncoder, OnnxShotEncoder } from '../onnx-encoder';
import { isCacheable, registerCacheableEncoder } from '../shot-cache';
import { SoundtrackEncoder } from '../soundtrack';

export function activate(context: ExtensionContext, api: AutoMontageApi): void {
  const encoders = [
    new FrameAffectEncoder('frame-affect'),
    new FaceEncoder('faces'),
    new SoundtrackEncoder('soundtrack'),
    new OnnxShotEncoder('onnx-shot'),
    new MusicFeatureEncoder('music-features'),
    new YamnetMusicEncoder('music-yamnet'),
    new OnnxMusicEncoder('onnx-music'),
  ];
  for (const encoder of encoders) {
    context.subscriptions.push(api.emotion.registerEncoder(encoder.id, encoder));
    // Movie-only results are cached by the job (scoreEmotions' cacheDir) under each encoder's settings key.
    if (encoder.kind === 'shot' && isCacheable(encoder)) context.subscriptions.push(registerCacheableEncoder(encoder));
  }
}
