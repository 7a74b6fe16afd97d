import { extractFrames } from '../companion/media/frames';
const f = await extractFrames('../shared/media/film/sintel_trailer.mp4', [0, 225, 226, 99999], { maxWidth: 160 });
for (const x of f) { let s = 0; for (const v of x.data) s += v; console.log(x.index, x.width, x.height, (s / x.data.length).toFixed(1)); }
