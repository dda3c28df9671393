// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Many writes through the web module, with enough garbage for the garbage
// collector to run incrementally in between: every write must reach the
// sink and settle (GJS 1.74 refuses calls from C into JavaScript during an
// incremental collection; the module must not depend on any). Prints one
// summary line; test-web-order.py checks it and that GJS printed nothing.
//
//   gjs -m web-stress.js [N]

const here = import.meta.url.replace(/[^/]*$/, '');
const {default: GLib} = await import('gi://GLib');
const url = GLib.getenv('WSTREAM_WEB_JS') ?? `${here}../../wstream/bindings/gjs/wstream-web.js`;
const {WritableStream} = await import(url);

const N = Number(globalThis.ARGV[0] ?? 30000);
let received = 0;
let garbage = [];
const stream = new WritableStream({
    write(chunk) {
        received += chunk.n;
        garbage.push({chunk, copy: [chunk.n, String(chunk.n)]});
        if (garbage.length > 500)
            garbage = [];
        return chunk.n % 3 === 0 ? Promise.resolve() : undefined;
    },
}, {highWaterMark: 16});
const writer = stream.getWriter();
let settled = 0;
for (let i = 1; i <= N; i++) {
    if (writer.desiredSize <= 0)
        // eslint-disable-next-line no-await-in-loop
        await writer.ready;
    writer.write({n: 1, payload: new Array(8).fill(i)}).then(() => settled++);
}
await writer.close();
print(`received ${received} settled ${settled} of ${N}`);
