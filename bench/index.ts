/**
 * `npm run bench -- <area> [more areas]`: runs bench/<area>.ts, which prints one JSON object per line,
 * {"bench": "<area>.<case>", ...figures}. Areas: planner, movie, music, emotion, companion.
 */
import { existsSync } from 'node:fs';

const areas = process.argv.slice(2);
if (areas.length === 0) {
  console.error('usage: npm run bench -- <area> (planner | movie | music | emotion | companion)');
  process.exit(2);
}
for (const area of areas) {
  const file = new URL(`./${area}.ts`, import.meta.url);
  if (!/^[a-z-]+$/.test(area) || !existsSync(file)) {
    console.error(`unknown bench area "${area}"`);
    process.exit(2);
  }
  const module = (await import(file.href)) as { run(args: string[]): Promise<void> };
  await module.run(areas.slice(1));
}
