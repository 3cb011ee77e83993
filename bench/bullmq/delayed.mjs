// delayed.mjs -- the timers backlog workload on BullMQ delayed jobs, for
// bench/run timers (docs/performance.md, "Timers").
//
//   node delayed.mjs <redis port> <count>
//
// 1. Adds <count> delayed jobs (Queue.addBulk, 1000 per call; the same
//    payload as cs-bench's timers; removeOnComplete) with delays of 1..10 s,
//    so every job is due by the time the load ends. No worker runs yet:
//    BullMQ promotes delayed jobs only from a worker's fetch (moveToActive),
//    so they all stay in the delayed set, like our timers before the
//    business clock jumps.
// 2. A Worker is created with autorun off and waits until it is connected;
//    then worker.run() is the "clock jump". Measured: run() -> the last job
//    handed to the processor (delayed -> wait -> active -> processor), i.e.
//    "due to handed to a consumer", with concurrency 1000 (BullMQ's
//    suggested way to take a backlog fast from one process). The processor
//    only counts distinct job ids. Printed as jobs/s.
// Redis bytes per delayed job: INFO memory used_memory delta / count
// before the worker starts.
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';

const port = Number(process.argv[2]);
const count = Number(process.argv[3]);
const concurrency = Number(process.env.BENCH_BULLMQ_CONCURRENCY || 1000);
const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
const name = `bench-timers-${Date.now()}`;

async function usedMemory(r) {
  const info = await r.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)[1]);
}

const admin = new IORedis(connection);
const queue = new Queue(name, { connection });
await queue.waitUntilReady();
const payload = { rule: 'EX-6', day: 3, amount_fen: 12900 };
const mem0 = await usedMemory(admin);
const t0 = Date.now();
for (let i = 0; i < count; i += 1000) {
  const jobs = [];
  for (let j = i; j < Math.min(count, i + 1000); j++) {
    jobs.push({
      name: 'bench.fire',
      data: { order_key: `tb-demo:bull-${j}`, ...payload },
      opts: { delay: 1000 + (j % 9000), removeOnComplete: true, removeOnFail: true },
    });
  }
  await queue.addBulk(jobs);
}
const t1 = Date.now();
const mem1 = await usedMemory(admin);
const delayed = await queue.getDelayedCount();
console.log(`bullmq:      ${count} delayed jobs added in ${((t1 - t0) / 1000).toFixed(1)} s ` +
  `(${Math.round(count * 1000 / (t1 - t0))}/s, addBulk of 1000); ${delayed} in the delayed set; ` +
  `Redis used_memory +${mem1 - mem0} B = ${Math.round((mem1 - mem0) / count)} B per delayed job`);
// every job due before the worker starts
const wait = 1000 + 9000 - (Date.now() - t0);
if (wait > 0) await new Promise((r) => setTimeout(r, wait + 100));

// Distinct jobs: a job whose lock expired under load can be handed twice
// (BullMQ's stalled-job recovery); only its first hand-over counts.
const seen = new Set();
let handed = 0, calls = 0, errors = 0, tFirst = 0, tLast = 0, done;
const finished = new Promise((r) => { done = r; });
const worker = new Worker(name, async (job) => {
  calls++;
  if (seen.has(job.id)) return;
  seen.add(job.id);
  if (++handed === 1) tFirst = Date.now();
  if (handed === count) { tLast = Date.now(); done(); }
}, { connection, concurrency, autorun: false });
worker.on('error', () => { errors++; });
await worker.waitUntilReady();
const ta = Date.now();
worker.run();
const timer = setInterval(() => console.error(`  bullmq: ${handed}/${count} handed`), 5000);
await finished;
clearInterval(timer);
const rate = count * 1000 / (tLast - ta);
console.log(`bullmq:      worker.run() -> last of ${count} distinct jobs handed to the processor: ` +
  `${((tLast - ta) / 1000).toFixed(2)} s = ${Math.round(rate)} jobs/s (first after ` +
  `${((tFirst - ta) / 1000).toFixed(2)} s; ${calls - handed} repeated hand-overs, ${errors} worker errors ` +
  `such as "Missing lock"; BullMQ ${process.env.BENCH_BULLMQ_VERSION || ''}, one Node process, concurrency ${concurrency})`);
console.log(`BULLMQ jobs_per_s=${Math.round(rate)}`);
await worker.close();
await queue.obliterate({ force: true });
await queue.close();
await admin.quit();
