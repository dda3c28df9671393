// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Runs the scenarios of order-scenarios.mjs and prints what each recorded,
// one line per event. The same file runs in Node (on its built-in
// WritableStream) and in GJS (`gjs -m`, on the wstream web module), so that
// test-web-order.py can compare the two outputs line by line.
//
//   node order-runner.mjs [scenario...]
//   gjs -m order-runner.mjs [scenario...]
//
// In GJS the module is found at $WSTREAM_WEB_JS (a file:// URL) or else in
// the source tree.

const isGjs = typeof globalThis.imports !== 'undefined' && typeof process === 'undefined';
let print, args;
if (isGjs) {
    const {default: GLib} = await import('gi://GLib');
    const here = import.meta.url.replace(/[^/]*$/, '');
    const url = GLib.getenv('WSTREAM_WEB_JS') ?? `${here}../../wstream/bindings/gjs/wstream-web.js`;
    const web = await import(url);
    web.installGlobals({force: true});
    print = globalThis.print;
    args = globalThis.ARGV;
} else {
    print = line => console.log(line);
    args = process.argv.slice(2);
}

const {scenarios} = await import('./order-scenarios.mjs');

const names = args.length > 0 ? args : Object.keys(scenarios);
for (const name of names) {
    const log = [];
    try {
        await scenarios[name](event => log.push(String(event)));
    } catch (e) {
        log.push(`scenario threw ${e}`);
    }
    // Let the microtasks and zero timeouts that are left run.
    for (let i = 0; i < 5; i++)
        await new Promise(resolve => setTimeout(resolve, 0));
    for (const line of log)
        print(`${name}: ${line}`);
}
