/**
 * `npm run bench -- <area> [options]`: runs bench/<area>.ts, which prints one JSON object per line,
 * {"bench": "<area>.<case>", ...figures}. Areas: planner, movie, music, emotion, contrast, companion, scale, pool, sources, steering.
 * Several areas: `npm run bench -- music,planner` (options then go to each).
 */
import { existsSync } from 'node:fs';

const [areaList, ...options] = process.argv.slice(2);
if (!areaList) {
  console.error('usage: npm run bench -- <area>[,<area>…] [options]   (areas: planner, movie, music, emotion, contrast, companion, scale, pool, sources, steering)');
  process.exit(2);
}
for (const area of areaList.split(',')) {
  const file = new URL(`./${area}.ts`, import.meta.url);
  if (!/^[a-z-]+$/.test(area) || !existsSync(file)) {
    console.error(`unknown bench area "${area}"`);
    process.exit(2);
  }
  const module = (await import(file.href)) as { run(args: string[]): Promise<void> };
  await module.run(options);
}
