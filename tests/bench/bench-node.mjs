// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Benchmarks W1, W2, W4 and W5 of issue 6 on Node's built-in WritableStream,
// the same workloads as bench-wstream.c. Run with --expose-gc (W4 needs it):
//
//   node --expose-gc bench-node.mjs [--n N] [--runs R] [W1] [W2] [W4] [W5]
//
// Prints the same lines as bench-wstream: "W1 ns_per_write 580.3" (wall
// clock, best of R runs), "W1 cpu_ns_per_write 560.1" (process CPU time),
// "W4 bytes_per_write 312.0". Exits with status 1 if a sink did not
// receive every write, in order, with every byte.

const CHUNK_SIZE = 64;
const N_CHUNKS = 256;

const chunks = [];
for (let i = 0; i < N_CHUNKS; i++) {
    const c = new Uint8Array(CHUNK_SIZE).fill(0xa5);
    c[0] = i;
    chunks.push(c);
}

// The sink: completes synchronously, checks order and sizes.
function makeSink({holdFirst = false} = {}) {
    const sink = {
        writes: 0,
        bytes: 0,
        bad: 0,
        closed: false,
        release: null,
        write(chunk) {
            if (!(chunk instanceof Uint8Array) || chunk.byteLength !== CHUNK_SIZE ||
                chunk[0] !== (this.writes & 0xff))
                this.bad++;
            this.writes++;
            this.bytes += chunk.byteLength;
            if (holdFirst && this.writes === 1)
                return new Promise(resolve => { this.release = resolve; });
            return undefined;
        },
        close() {
            this.closed = true;
        },
    };
    return sink;
}

function checkSink(workload, sink, n) {
    if (sink.writes !== n || sink.bytes !== n * CHUNK_SIZE || sink.bad !== 0 || !sink.closed) {
        console.error(`${workload}: FAILED: the sink got ${sink.writes} writes, ${sink.bytes} bytes, ` +
            `${sink.bad} bad chunks, closed=${sink.closed}; expected ${n} writes, ${n * CHUNK_SIZE} bytes, closed`);
        process.exit(1);
    }
}

// Wall-clock and CPU time (all of the process's threads, GC helpers too).
const now = () => ({wall: process.hrtime.bigint(), cpu: process.cpuUsage()});
const nsPerWrite = (start, end, n) => ({
    wall: Number(end.wall - start.wall) / n,
    cpu: (end.cpu.user + end.cpu.system - start.cpu.user - start.cpu.system) * 1000 / n,
});

// W1: pipelined writes, HWM 1024, no per-write reaction, wait for ready.
async function runW1(n) {
    const sink = makeSink();
    const stream = new WritableStream(sink, new CountQueuingStrategy({highWaterMark: 1024}));
    const writer = stream.getWriter();
    const start = now();
    for (let i = 0; i < n; i++) {
        if (writer.desiredSize <= 0)
            await writer.ready;
        writer.write(chunks[i % N_CHUNKS]);
    }
    await writer.close();
    const end = now();
    checkSink('W1', sink, n);
    return nsPerWrite(start, end, n);
}

// W2: awaited writes.
async function runW2(n) {
    const sink = makeSink();
    const stream = new WritableStream(sink);
    const writer = stream.getWriter();
    const start = now();
    for (let i = 0; i < n; i++)
        await writer.write(chunks[i % N_CHUNKS]);
    await writer.close();
    const end = now();
    checkSink('W2', sink, n);
    return nsPerWrite(start, end, n);
}

// W4: queue memory behind a first write that never completes, HWM +inf.
// The sink's check is different here: see below.
async function runW4(n) {
    const sink = makeSink({holdFirst: true});
    const stream = new WritableStream(sink, new CountQueuingStrategy({highWaterMark: Infinity}));
    const writer = stream.getWriter();
    await new Promise(resolve => setTimeout(resolve, 0));   // let start() settle

    globalThis.gc();
    const before = process.memoryUsage();
    const start = now();
    for (let i = 0; i < n; i++)
        writer.write(chunks[i % N_CHUNKS]);
    const end = now();
    await new Promise(resolve => setTimeout(resolve, 0));
    globalThis.gc();
    const after = process.memoryUsage();

    if (sink.writes !== 1 || sink.release === null) {
        console.error(`W4: FAILED: the sink got ${sink.writes} writes while the first one was pending`);
        process.exit(1);
    }
    // Node drains a long queue in quadratic time (its queues are arrays
    // emptied with shift(): 100,000 queued writes take ~30 s to drain), so
    // instead of draining, abort and count: the held write must succeed and
    // every queued write must be rejected with the abort reason.
    let rejected = 0;
    const onRejection = (reason) => {
        if (reason === 'bench abort')
            rejected++;
    };
    process.on('unhandledRejection', onRejection);
    const aborted = writer.abort('bench abort');
    sink.release();
    await aborted;
    await new Promise(resolve => setTimeout(resolve, 0));
    process.off('unhandledRejection', onRejection);
    if (rejected !== n - 1) {
        console.error(`W4: FAILED: ${rejected} of ${n - 1} queued writes were rejected by the abort`);
        process.exit(1);
    }

    const used = m => m.heapUsed + m.external;   // external includes arrayBuffers
    return {
        bytes: (used(after) - used(before)) / n,
        rss: (after.rss - before.rss) / n,
        ns: nsPerWrite(start, end, n).cpu,
    };
}

// W5: the same sink's write called directly.
function runW5(n) {
    const sink = makeSink();
    const start = now();
    for (let i = 0; i < n; i++)
        sink.write(chunks[i % N_CHUNKS]);
    sink.close();
    const end = now();
    checkSink('W5', sink, n);
    return nsPerWrite(start, end, n);
}

// R1: the floor of W1's ready round trip: await a ready promise that is
// already resolved (no backpressure), no write.
async function runR1(n) {
    const sink = makeSink();
    const stream = new WritableStream(sink);
    const writer = stream.getWriter();
    const start = now();
    for (let i = 0; i < n; i++)
        await writer.ready;
    await writer.close();
    const end = now();
    checkSink('R1', sink, 0);
    return nsPerWrite(start, end, n);
}

// P0: the engine's own floor, one await of a settled value.
async function runP0(n) {
    const start = now();
    for (let i = 0; i < n; i++)
        await undefined;
    const end = now();
    return nsPerWrite(start, end, n);
}

async function main() {
    let n = 1000000;
    let runs = 5;
    const want = new Set();
    const args = process.argv.slice(2);
    for (let i = 0; i < args.length; i++) {
        if (args[i] === '--n')
            n = Number(args[++i]);
        else if (args[i] === '--runs')
            runs = Math.max(1, Number(args[++i]));
        else if (/^(W[1245]|R1|P0)$/.test(args[i]))
            want.add(args[i]);
        else {
            console.error('usage: bench-node.mjs [--n N] [--runs R] [W1] [W2] [W4] [W5] [R1] [P0]');
            process.exit(2);
        }
    }
    if (want.size === 0)
        ['W1', 'W2', 'W4', 'W5', 'R1', 'P0'].forEach(w => want.add(w));

    if (want.has('W4')) {
        if (typeof globalThis.gc !== 'function') {
            console.error('W4 needs node --expose-gc');
            process.exit(2);
        }
        const r = await runW4(n);
        console.log(`W4 bytes_per_write ${r.bytes.toFixed(1)}`);
        console.log(`W4 rss_per_write ${r.rss.toFixed(1)}`);
        console.log(`W4 cpu_ns_per_queued_write ${r.ns.toFixed(1)}`);
    }
    for (const [w, fn] of [['W1', runW1], ['W2', runW2], ['W5', runW5], ['R1', runR1], ['P0', runP0]]) {
        if (!want.has(w))
            continue;
        const best = {wall: Infinity, cpu: Infinity};
        for (let r = 0; r < runs; r++) {
            const t = await fn(n);
            best.wall = Math.min(best.wall, t.wall);
            best.cpu = Math.min(best.cpu, t.cpu);
        }
        const what = w === 'R1' || w === 'P0' ? 'round_trip' : 'write';
        console.log(`${w} ns_per_${what} ${best.wall.toFixed(1)}`);
        console.log(`${w} cpu_ns_per_${what} ${best.cpu.toFixed(1)}`);
    }
}

await main();
