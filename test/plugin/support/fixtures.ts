/** Hand-made sequences and results for the plugin's unit tests (numbers chosen to be checked by hand). */
import type { BarSummary, ChosenShot, EmotionSummary, MontageResultMessage, RelaxationNotice } from '../../../companion/protocol/messages';
import type { HostClip, HostSequence } from '../../../plugin/src/host';

export const TICKS_PER_SECOND = 254016000000;
export const ticks = (seconds: number) => String(Math.round(seconds * TICKS_PER_SECOND));

export function clip(partial: Partial<HostClip> & Pick<HostClip, 'kind' | 'mediaPath'>): HostClip {
  return { track: 0, name: partial.mediaPath.split('/').pop() ?? '', srcInTicks: '0', srcOutTicks: ticks(10), startTicks: '0', endTicks: ticks(10), disabled: false, ...partial };
}

/** A 25 fps sequence: the movie in two clips on V1 (+ its own sound on A1), the music on A2. */
export function editSequence(overrides: Partial<HostSequence> = {}): HostSequence {
  return {
    id: 'seq-edit',
    name: 'Edit',
    fps: 25,
    ticksPerFrame: TICKS_PER_SECOND / 25,
    width: 1920,
    height: 1080,
    durationTicks: ticks(60),
    clips: [
      clip({ kind: 'video', mediaPath: '/media/movie.mp4', srcInTicks: ticks(5), srcOutTicks: ticks(25), startTicks: '0', endTicks: ticks(20) }),
      clip({ kind: 'video', mediaPath: '/media/movie.mp4', srcInTicks: ticks(40), srcOutTicks: ticks(70), startTicks: ticks(20), endTicks: ticks(50) }),
      clip({ kind: 'video', track: 1, mediaPath: '/media/logo.png', srcInTicks: '0', srcOutTicks: ticks(3), startTicks: '0', endTicks: ticks(3) }),
      clip({ kind: 'audio', mediaPath: '/media/movie.mp4', srcInTicks: ticks(5), srcOutTicks: ticks(25), startTicks: '0', endTicks: ticks(20) }),
      clip({ kind: 'audio', track: 1, name: 'song', mediaPath: '/media/song.wav', srcInTicks: ticks(12), srcOutTicks: ticks(52), startTicks: ticks(10), endTicks: ticks(50) }),
    ],
    ...overrides,
  };
}

export function emotion(valence: number, arousal: number, values: number[], label: string): EmotionSummary {
  return { valence, arousal, values, label };
}

const excited = emotion(0.6, 0.7, [0.7, 0, 0.1, 0.1, 0, 0.1], 'excited');
const sad = emotion(-0.5, -0.4, [0, 0.1, 0.1, 0.1, 0.7, 0], 'sad');

/**
 * A montage over bars 2..7 of a 120 BPM 4/4 music (2 s bars starting at 4 s), movie at 25 fps:
 * shot 3 on bars 2–3, shot 7 on bars 4–6, shot 9 on bar 7.
 */
export function montageResult(overrides: { chosen?: ChosenShot[]; granularity?: 'bar' | '2bars' | 'halfbar' | 'beat'; jobId?: string; relaxations?: RelaxationNotice[] } = {}): MontageResultMessage {
  const bars: BarSummary[] = Array.from({ length: 10 }, (_, index) => ({ index, startSeconds: index * 2, durationSeconds: 2, emotion: index < 5 ? excited : sad }));
  const chosen: ChosenShot[] = overrides.chosen ?? [
    { shotIndex: 3, sceneIndex: 1, firstBar: 2, barCount: 2, sourceStartSeconds: 10, sourceEndSeconds: 14, recordStartSeconds: 0, recordEndSeconds: 4, score: 0.9, emotion: excited, pinned: false },
    { shotIndex: 7, sceneIndex: 2, firstBar: 4, barCount: 3, sourceStartSeconds: 30, sourceEndSeconds: 36, recordStartSeconds: 4, recordEndSeconds: 10, score: 0.7, emotion: sad, pinned: false },
    { shotIndex: 9, sceneIndex: 2, firstBar: 7, barCount: 1, sourceStartSeconds: 50, sourceEndSeconds: 52, recordStartSeconds: 10, recordEndSeconds: 12, score: 0.6, emotion: sad, pinned: false },
  ];
  return {
    type: 'result',
    kind: 'montage',
    jobId: overrides.jobId ?? 'job-1',
    elapsedMs: 1234,
    analysis: {
      movie: { path: '/media/movie.mp4', durationSeconds: 120, frameRate: { num: 25, den: 1 }, width: 1920, height: 1080 },
      music: { path: '/media/song.wav', durationSeconds: 20, tempoBpm: 120, beatsPerBar: 4 },
      shots: [],
      sceneCount: 4,
      bars,
      labels: ['excited', 'fearful', 'neutral', 'relaxed', 'sad', 'tense'],
    },
    montage: {
      plan: {
        totalScore: 2.2,
        durationSeconds: 12,
        barCount: 6,
        shotCount: chosen.length,
        sceneCount: 2,
        options: { scenes: 5, mode: 'hard', granularity: overrides.granularity ?? 'bar', trim: true, arc: true, pins: [], bans: [] },
        diagnostics: [],
        music: { startSeconds: 4, endSeconds: 16 },
        ...(overrides.relaxations ? { relaxations: overrides.relaxations } : {}),
      },
      chosen,
      musicEmotion: bars,
      files: [{ name: 'montage.xml', format: 'fcp7-xml', sizeBytes: 100, url: 'http://127.0.0.1:7391/jobs/job-1/files/montage.xml?token=t' }],
      previewUrl: null,
      report: '',
    },
  };
}
