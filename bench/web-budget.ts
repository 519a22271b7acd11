/**
 * `NODE_ENV=test npx tsx bench/web-budget.ts [--runs 7]` (NODE_ENV=test: the test helpers build the app): the student's check-in page on a slow phone network, in
 * Debian's Chromium. Chromium emulates 1.6 Mbit/s down, 750 kbit/s up and 150 ms latency with the
 * cache off; each run reloads the signed-in page (the sign-in comes back through the refresh cookie,
 * then the open sessions load) and waits for the check-in button. Prints the JavaScript shipped
 * (gzipped) and the time to usable per run, with the median, for BENCHMARKS.md. The browser test
 * asserts the byte budget only: a time measured on a loaded CI machine is not a pass/fail signal.
 */
import { launch, newContext, signIn, slowNetwork, startServer } from '../test/e2e/browser.js';
import { ROOM, seedSchool } from '../test/e2e/seed.js';

const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf('--runs') + 1] ?? 7) || 7;

const { t, base } = await startServer();
const browser = await launch();
try {
  const school = await seedSchool(t);
  const ctx = await newContext(browser, base, { phone: true, geo: { ...ROOM, accuracy: 12 } });
  const page = await ctx.newPage();
  await signIn(page, school.students[0]!.email);
  await page.getByRole('button', { name: 'Check in to Physics' }).waitFor();

  const net = await slowNetwork(ctx, page);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await page.reload();
    await page.getByRole('button', { name: 'Check in to Physics' }).waitFor();
    times.push(Math.round(performance.now() - started));
  }
  const { count, gzipBytes: gz } = net.scripts();
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`check-in page, phone, 1.6 Mbit/s down, 750 kbit/s up, 150 ms latency, cache off`);
  console.log(`JavaScript: ${count} scripts, ${(gz / 1024).toFixed(1)} KB gzipped (budget 60 KB)`);
  console.log(`usable after (ms), ${runs} runs: ${times.join(', ')}`);
  console.log(
    `median ${sorted[Math.floor(sorted.length / 2)]} ms, min ${sorted[0]} ms, max ${sorted.at(-1)} ms (target < 3000 ms)`,
  );
  await ctx.close();
} finally {
  await browser.close();
  await t.close();
}
