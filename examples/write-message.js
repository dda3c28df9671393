// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Writes a message chunk by chunk into a stream whose sink prints what it
// receives, with backpressure, then closes the stream: the same program as
// write-message.c and write-message.py, written for the Streams Standard's
// WritableStream (it runs unchanged in a browser or Node, given `print`).
//
//   gjs -m write-message.js
//
// It imports the web-standard module from the source tree; an installed
// copy is imported with
//   import {WritableStream, CountQueuingStrategy} from 'file:///usr/local/share/wstream-1/gjs/wstream-web.js';

import {WritableStream, CountQueuingStrategy} from '../wstream/bindings/gjs/wstream-web.js';

const MESSAGE = 'Hello, streams! Backpressure keeps the queue short.';
const CHUNK_SIZE = 8;

let received = '';
const stream = new WritableStream({
    write(chunk) {
        print(`sink: received "${chunk}"`);
        received += chunk;
        // Finish later: the stream queues further chunks meanwhile.
        return new Promise(resolve => setTimeout(resolve, 5));
    },
    close() {
        print(`sink: closed after "${received}"`);
    },
}, new CountQueuingStrategy({highWaterMark: 2}));

const writer = stream.getWriter();
let rest = MESSAGE;
try {
    while (rest) {
        // Write while the stream wants more, then wait for it to be ready.
        while (rest && writer.desiredSize > 0) {
            const chunk = rest.slice(0, CHUNK_SIZE);
            rest = rest.slice(CHUNK_SIZE);
            print(`write "${chunk}"`);
            writer.write(chunk).catch(() => {});  // errors show in ready
        }
        if (rest) {
            print(`wait: desired size ${writer.desiredSize}`);
            // eslint-disable-next-line no-await-in-loop
            await writer.ready;
        }
    }
    await writer.close();
    print('closed');
} catch (e) {
    print(`stream failed: ${e}`);
}
