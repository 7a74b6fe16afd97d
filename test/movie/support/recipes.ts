/** The synthetic splices the accuracy benchmark builds (seeds fixed, so every run builds the same movies). */
import type { SpliceRecipe } from './splice';

export const ACCURACY_RECIPES: readonly SpliceRecipe[] = [
  { name: 'hard-cuts', seed: 11, pieces: 30, joins: ['cut'] },
  { name: 'dissolves', seed: 12, pieces: 20, joins: ['fade', 'dissolve'] },
  { name: 'fades', seed: 13, pieces: 20, joins: ['fadeblack', 'fadewhite'] },
  { name: 'dark', seed: 14, pieces: 24, joins: ['cut', 'cut', 'fade'], effects: ['dark'] },
  { name: 'fast-motion', seed: 15, pieces: 24, joins: ['cut', 'fade'], effects: ['motion'] },
  { name: 'flashes', seed: 16, pieces: 24, joins: ['cut', 'fade'], effects: ['flash'] },
  { name: 'mixed', seed: 17, pieces: 30, joins: ['cut', 'cut', 'fade', 'dissolve', 'fadeblack', 'fadewhite'], effects: ['none', 'none', 'dark', 'motion', 'flash'], transitionFrames: [8, 48] },
];
